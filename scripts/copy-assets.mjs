// Copies runtime assets next to the compiled library so `new URL('../../build/…', import.meta.url)`
// and `new URL('../../demo/samples/…', import.meta.url)` resolve the same way from src/ (tsx, tests)
// and from dist/src/ (the published package).
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/build', { recursive: true });
for (const flavor of ['simd', 'scalar']) copyFileSync(`build/sazanami-${flavor}.wasm`, `dist/build/sazanami-${flavor}.wasm`);
mkdirSync('dist/demo/samples', { recursive: true });
copyFileSync('demo/samples/noisy-speech.wav', 'dist/demo/samples/noisy-speech.wav');
