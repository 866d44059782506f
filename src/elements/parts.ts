import { loadChunk } from '../protocol/errors.js';

/**
 * A part of the library that elements load when they first need it: `part()` loads it (once; a failure to load,
 * `network_error`, is tried again on the next call), `part.value` is the module once loaded (for synchronous use).
 */
export type Part<T> = (() => Promise<T>) & { value?: T };

function part<T>(load: () => Promise<T>): Part<T> {
  let pending: Promise<T> | undefined;
  const get: Part<T> = () => (pending ??= loadChunk(load()).then((module) => (get.value = module), (error: unknown) => {
    pending = undefined;
    throw error;
  }));
  return get;
}

/** `<auth-fetch>`'s requests (its first request or form submit; in the protocol chunk, with the API call itself). */
export const requests = part(() => import('./fetch-request.js'));
/** `<template>` filling (`<auth-fetch>` and `<auth-user>`, when they first have something to show). */
export const templates = part(() => import('../render/stamp.js'));
