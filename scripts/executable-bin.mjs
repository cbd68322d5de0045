#!/usr/bin/env node
// tsc writes files without the executable bit; `dist/bin.js` is linked onto PATH by
// `pnpm link --global` and by npm, and a symlink to a non-executable file fails with
// "Permission denied". Runs after every `pnpm build`.
import { chmodSync } from "node:fs";

chmodSync(new URL("../packages/cli/dist/bin.js", import.meta.url), 0o755);
