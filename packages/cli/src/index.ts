export { main } from './main.js';
export { parseArgs, UsageError, type ParsedArgs } from './args.js';
export { builtinRegistries, formatInfo, listModelFolders } from './info.js';
