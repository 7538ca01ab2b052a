/** A catalog compiled by the Lingui Vite plugin (see lingui.config.ts). */
declare module '*.json?lingui' {
  import type { Messages } from '@lingui/core';
  export const messages: Messages;
}
