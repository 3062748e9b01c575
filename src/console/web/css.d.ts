// Stylesheets imported by the page's modules: esbuild bundles them into app.css.
declare module '*.css';
