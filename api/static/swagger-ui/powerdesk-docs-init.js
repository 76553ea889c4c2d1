// Starts Swagger UI on /api/docs against /api/openapi.json. A file, not an inline script, so the
// page works under a Content-Security-Policy without 'unsafe-inline'.
(function () {
  "use strict";
  var csrfToken = null;
  // "Try it out" sends the session cookie; API writes also need the session's CSRF token.
  fetch("/api/v1/whoami", { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : {}; })
    .then(function (body) { csrfToken = body.csrf_token || null; })
    .catch(function () { csrfToken = null; });

  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle({
      url: "/api/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      requestInterceptor: function (request) {
        if (csrfToken && request.method && request.method.toUpperCase() !== "GET") {
          request.headers["X-CSRFToken"] = csrfToken;
        }
        return request;
      },
    });
  });
})();
