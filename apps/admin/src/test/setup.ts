// Unmount rendered components between tests (Testing Library does this itself only with globals).
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());
