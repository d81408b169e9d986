// Boots Swagger UI on the app's own /openapi.json. An external file: the CSP allows no inline script.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // No "Try it out" against other servers and no validator badge (it calls an external host).
    validatorUrl: null,
    tryItOutEnabled: false,
    supportedSubmitMethods: [],
  });
});
