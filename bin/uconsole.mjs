#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// `node bin/uconsole.mjs ...`: the uconsole command, as bin/uconsole.cjs
// runs it (bin/uconsole, the launcher npm links, starts that file
// directly).
import './uconsole.cjs';
