// Copies the pinned Plotly bundle (plotly.js-strict-dist-min, no eval) into public/vendor, from
// where Vite copies it unchanged into dist/. Bundling it instead cost ~40 s of minifying an
// already minified 3.5 MB file on every build; served as is, it is byte-identical to the npm one.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(ui, 'node_modules/plotly.js-strict-dist-min/plotly-strict.min.js');
const target = join(ui, 'public/vendor/plotly-strict.min.js');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
