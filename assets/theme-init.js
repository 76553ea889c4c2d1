// Apply the saved colour mode before the first paint (login page and the Dash app share it).
(function () {
  try {
    var saved = JSON.parse(window.localStorage.getItem("theme-store"));
    document.documentElement.setAttribute("data-bs-theme", saved === "dark" ? "dark" : "light");
  } catch (e) {
    document.documentElement.setAttribute("data-bs-theme", "light");
  }
})();
