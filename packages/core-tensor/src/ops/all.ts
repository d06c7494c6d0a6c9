// Loads every op family, so the op table is complete whichever module is imported first.
import './elementwise.js';
import './activations.js';
import './reduce.js';
import './matmul.js';
import './shape-ops.js';
import './index-ops.js';
import './scan.js';
