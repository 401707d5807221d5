// Copies the Wasm builds next to the compiled library so `new URL('../../build/…', import.meta.url)`
// resolves the same way from src/ (tsx, tests) and from dist/src/ (the published package).
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/build', { recursive: true });
for (const flavor of ['simd', 'scalar']) copyFileSync(`build/sazanami-${flavor}.wasm`, `dist/build/sazanami-${flavor}.wasm`);
