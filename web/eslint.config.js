// ESLint (flat config): typescript-eslint's recommended rules and the hooks rules. Preact's hooks have
// React's semantics, so eslint-plugin-react-hooks applies as it is. Formatting is Prettier's (npm run lint
// runs both); nothing here is about layout.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/api/schema.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,js}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      // useResource takes its dependencies as useEffect does: checked the same way.
      "react-hooks/exhaustive-deps": ["error", { additionalHooks: "^useResource$" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // The /docs page's boot script runs in the browser as it is (no bundler).
    files: ["docs-src/**/*.js"],
    languageOptions: { globals: { window: "readonly", document: "readonly", SwaggerUIBundle: "readonly" } },
  },
  {
    // The service worker, as it is (vite.config.ts only fills in its file list and version).
    files: ["sw-src/**/*.js"],
    languageOptions: {
      globals: { self: "readonly", caches: "readonly", fetch: "readonly", URL: "readonly", Response: "readonly", __PRECACHE__: "readonly" },
    },
  },
);
