export { SAFETENSORS_DTYPES, type TensorInfo } from './format.js';
export { SafetensorsFile, readSafetensors, type StoredTensor } from './read.js';
export { writeSafetensors, type TensorToWrite } from './write.js';
export { storedToTensor, saveTensors } from './tensors.js';
