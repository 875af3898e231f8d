import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createEmotionCache } from './theme/emotionCache';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App emotionCache={createEmotionCache()} />
  </StrictMode>,
);
