import { render } from 'preact';

import { App } from './views/App';
import { loadBackend } from './backend';
import './styles.css';

async function start() {
  const root = document.getElementById('app');
  if (!root) return;
  const backend = await loadBackend();
  render(<App backend={backend} />, root);
}

void start();
