// The v2 store's public surface.
export { createStore, Store, type StoreOptions } from "./store.ts";
export { presentEvent, stripNodePrefix, type PresentedEvent } from "./present.ts";
export { deleteRequest, postRequest, putRequest } from "./requests.ts";
export { formatExpiration, ttlSeconds } from "./time.ts";
export * from "./types.ts";
