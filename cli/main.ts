// SPDX-License-Identifier: GPL-2.0-only
/* The CLI bundle's entry: the command line, and what the setup step calls. */
export { cli } from './uconsole';
export { ensureImages } from '../images/build';
export { cachedBusybox, fetchBusybox, FETCH_COMMAND } from '../images/busybox';
export { ensureNativeLibrary, storePathPaths } from '../emulator/native/build';
