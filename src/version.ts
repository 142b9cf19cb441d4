// Filled in by the build (scripts/build.mjs); the fallbacks apply when running from source in tests.
declare const __TA_VERSION__: string | undefined;
declare const __TA_SDK_VERSION__: string | undefined;

export const AGENT_VERSION: string = typeof __TA_VERSION__ === 'string' ? __TA_VERSION__ : '0.0.0-dev';
export const SDK_VERSION: string = typeof __TA_SDK_VERSION__ === 'string' ? __TA_SDK_VERSION__ : '0.0.0-dev';
