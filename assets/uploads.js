/* Upload areas (components/uploads.py) that say why a file went nowhere.

   dcc.Upload silently drops a file above its max_size, and several files dropped on a one-file
   area: no callback fires. This script sees the same files first (capture phase, before React),
   leaves dcc.Upload to refuse them as before (so nothing is read or sent), and writes what was
   refused into the area's refusal store; a callback (callbacks/uploads.py) shows the message.
   It also turns the server's 413 for an upload's callback into such a message instead of a
   callback error nobody sees. */
(function () {
    "use strict";

    function areaOf(element) {
        return element && element.closest ? element.closest("[data-upload-refusal-store]") : null;
    }

    function report(area, refusal) {
        if (!window.dash_clientside || !window.dash_clientside.set_props) {
            return;
        }
        refusal.at = Date.now(); // the same refusal twice is still a change the callback sees
        window.dash_clientside.set_props(area.getAttribute("data-upload-refusal-store"), {data: refusal});
    }

    function checkFiles(event) {
        var area = areaOf(event.target);
        if (!area) {
            return;
        }
        var list = event.type === "drop" ? event.dataTransfer && event.dataTransfer.files : event.target.files;
        var files = Array.prototype.slice.call(list || []);
        if (files.length > 1) {
            report(area, {reason: "several", count: files.length});
            return;
        }
        var limit = Number(area.getAttribute("data-upload-limit-bytes"));
        if (files.length === 1 && files[0].size > limit) {
            report(area, {reason: "too_large", filename: files[0].name, size_bytes: files[0].size,
                          limit_bytes: limit});
        }
    }

    window.addEventListener("change", checkFiles, true);
    window.addEventListener("drop", checkFiles, true);

    function uploadRefusedByServer(init) {
        try {
            var body = JSON.parse(init && typeof init.body === "string" ? init.body : "null");
            var changed = (body && body.changedPropIds) || [];
            for (var i = 0; i < changed.length; i++) {
                var match = /^(.*)\.contents$/.exec(changed[i]);
                var area = match && document.querySelector(
                    "[data-upload-id=\"" + CSS.escape(match[1]) + "\"]");
                if (area) {
                    var filename = null;
                    (body.state || []).concat(body.inputs || []).forEach(function (dependency) {
                        if (dependency && dependency.id === match[1] && dependency.property === "filename") {
                            filename = dependency.value;
                        }
                    });
                    return {area: area, filename: filename};
                }
            }
        } catch (e) {
            return null;
        }
        return null;
    }

    var originalFetch = window.fetch;
    if (!originalFetch) {
        return;
    }
    window.fetch = function (input, init) {
        return originalFetch.apply(this, arguments).then(function (response) {
            var url = typeof input === "string" ? input : (input && input.url) || "";
            if (response.status !== 413 || url.indexOf("/_dash-update-component") === -1) {
                return response;
            }
            var upload = uploadRefusedByServer(init);
            if (!upload) {
                return response;
            }
            return response.json().catch(function () {
                return {};
            }).then(function (refusal) {
                report(upload.area, {reason: "server", filename: upload.filename, detail: refusal.detail});
                // 204 is Dash's "no update": the message above replaces the callback error
                return new Response(null, {status: 204});
            });
        });
    };
})();
