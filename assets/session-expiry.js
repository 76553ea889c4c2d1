/* When a session has ended (logged out elsewhere, idle or lifetime timeout, password or role
   change, account disabled), Dash's requests get 401. Send the user to the login page, coming
   back to where they were, instead of leaving a page whose clicks silently do nothing. */
(function () {
    "use strict";
    var originalFetch = window.fetch;
    if (!originalFetch) {
        return;
    }
    var redirecting = false;
    window.fetch = function (input) {
        return originalFetch.apply(this, arguments).then(function (response) {
            var url = typeof input === "string" ? input : (input && input.url) || "";
            if (response.status === 401 && url.indexOf("/_dash-") !== -1) {
                if (!redirecting) {
                    redirecting = true;
                    var back = window.location.pathname + window.location.search;
                    window.location.assign("/login?next=" + encodeURIComponent(back));
                }
                // the page is going away: keep Dash from handling (and reporting) the refusal
                return new Promise(function () {});
            }
            return response;
        });
    };
})();
