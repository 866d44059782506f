/** The one-file bundle's entry: defines every element and exports the whole API. */
import './define.js';

export * from './index.js';
