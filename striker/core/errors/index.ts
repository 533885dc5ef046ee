export * from './striker-error.js';
export * from './codes.js';
