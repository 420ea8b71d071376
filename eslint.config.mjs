// One linter for the whole tree (DESIGN.md rule 11): typescript-eslint for every TypeScript file,
// angular-eslint for the Angular app's components and templates. `npm test` runs it (so CI does).
import js from '@eslint/js';
import angular from 'angular-eslint';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', '.cache/', '.angular/', 'scripts/mediasoup-worker/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // Unused names are mistakes, except those spelled `_name` on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Lectern talks to untyped libraries (ltijs, socket payloads before validation): `any` is flagged, not forbidden.
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    files: ['frontend/src/**/*.ts'],
    extends: [...angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
  },
  {
    files: ['frontend/src/**/*.html'],
    extends: [...angular.configs.templateRecommended],
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  // Benches drive Chromium: code they hand to page.evaluate runs in the page.
  { files: ['bench/**/*.mjs'], languageOptions: { globals: { ...globals.browser } } },
);
