namespace Resilience.AspNetCore;

/// <summary>The dashboard's page: one self-contained HTML document, its style and script inline.</summary>
internal static class ResilienceDashboardPage
{
    /// <summary>Replaced, HTML-encoded, by the address of the state the page reads.</summary>
    public const string StateUrlPlaceholder = "{{state-url}}";

    // The script writes every value with textContent, never as markup: a policy name cannot inject anything.
    public const string Html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Resilience</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2328; background: #f6f8fa; }
          h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
          h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
          #status { color: #57606a; font-size: .9rem; }
          #status.error { color: #cf222e; }
          table { border-collapse: collapse; background: #fff; min-width: 40rem; }
          th, td { padding: .35rem .75rem; border-bottom: 1px solid #d0d7de; text-align: right; }
          th:first-child, td:first-child { text-align: left; }
          td + td { white-space: nowrap; }
          th { background: #eaeef2; font-weight: 600; }
          .state { font-weight: 600; text-transform: uppercase; font-size: .8rem; padding: .1rem .45rem; border-radius: .3rem; color: #fff; }
          .closed { background: #1a7f37; } .open { background: #cf222e; } .half-open { background: #bf8700; } .isolated { background: #8250df; }
          .bar { display: inline-block; height: .6rem; background: #0969da; vertical-align: middle; margin-left: .4rem; }
          .empty { color: #57606a; font-style: italic; }
        </style>
        </head>
        <body data-state-url="{{state-url}}">
        <h1>Resilience</h1>
        <div id="status">Loading…</div>
        <h2>Circuit breakers</h2>
        <table id="breakers"><thead><tr><th>Policy</th><th>State</th><th>Calls</th><th>Failures</th><th>Failure rate</th><th>Consecutive failures</th><th>Rejected</th><th>Time in state</th></tr></thead><tbody></tbody></table>
        <h2>Circuit breakers kept per key</h2>
        <table id="keyed"><thead><tr><th>Policy</th><th>Closed</th><th>Open</th><th>Half-open</th><th>Isolated</th></tr></thead><tbody></tbody></table>
        <h2>Bulkheads</h2>
        <table id="bulkheads"><thead><tr><th>Policy</th><th>Running</th><th>Queued</th><th>Rejected</th></tr></thead><tbody></tbody></table>
        <h2>Rate limits</h2>
        <table id="limits"><thead><tr><th>Policy</th><th>Limit</th><th>Used</th><th>Left</th><th>Queued</th><th>Rejected</th><th>Next permit in</th></tr></thead><tbody></tbody></table>
        <h2>Rate limits kept per key</h2>
        <table id="keyed-limits"><thead><tr><th>Policy</th><th>Limit per key</th><th>Keys</th><th>Keys with no permit left</th><th>Queued</th><th>Rejected</th></tr></thead><tbody></tbody></table>
        <script>
        (function () {
          "use strict";
          var stateUrl = document.body.getAttribute("data-state-url");
          function cell(row, text, className) {
            var td = document.createElement("td");
            if (className) { var span = document.createElement("span"); span.className = className; span.textContent = text; td.appendChild(span); }
            else { td.textContent = text; }
            row.appendChild(td);
            return td;
          }
          function duration(seconds) {
            if (seconds < 60) return seconds.toFixed(1) + " s";
            if (seconds < 3600) return Math.floor(seconds / 60) + " min " + Math.floor(seconds % 60) + " s";
            return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
          }
          function usage(td, used, limit) {
            if (limit <= 0) return;
            var bar = document.createElement("span");
            bar.className = "bar";
            bar.style.width = Math.round(4 * Math.min(1, used / limit)) + "rem";
            td.appendChild(bar);
          }
          function fill(id, items, columns, render) {
            var body = document.querySelector("#" + id + " tbody");
            body.textContent = "";
            if (items.length === 0) {
              var row = body.insertRow();
              var td = cell(row, "None.");
              td.colSpan = columns;
              td.className = "empty";
              return;
            }
            items.forEach(function (item) { var row = body.insertRow(); row.setAttribute("data-policy", item.name); render(row, item); });
          }
          function render(state) {
            fill("breakers", state.breakers, 8, function (row, b) {
              cell(row, b.name);
              cell(row, b.state, "state " + b.state);
              cell(row, String(b.calls));
              cell(row, String(b.failures));
              cell(row, (100 * b.errorRate).toFixed(1) + " %");
              cell(row, String(b.consecutiveFailures));
              cell(row, String(b.rejections));
              cell(row, duration(b.timeInStateSeconds));
            });
            fill("keyed", state.keyedBreakers, 5, function (row, k) {
              cell(row, k.name);
              ["closed", "open", "half-open", "isolated"].forEach(function (s) { cell(row, String(k.partitions[s] || 0)); });
            });
            fill("bulkheads", state.bulkheads, 4, function (row, b) {
              cell(row, b.name);
              usage(cell(row, b.active + " / " + b.maxConcurrency), b.active, b.maxConcurrency);
              usage(cell(row, b.queued + " / " + b.maxQueue), b.queued, b.maxQueue);
              cell(row, String(b.rejections));
            });
            fill("limits", state.rateLimits, 7, function (row, l) {
              cell(row, l.name);
              cell(row, l.permits + " per " + duration(l.windowMs / 1000));
              usage(cell(row, l.used + " / " + l.permits), l.used, l.permits);
              cell(row, String(l.remaining));
              cell(row, String(l.queued));
              cell(row, String(l.rejections));
              cell(row, duration(l.retryAfterSeconds));
            });
            fill("keyed-limits", state.keyedRateLimits, 6, function (row, k) {
              cell(row, k.name);
              cell(row, k.permits + " per " + duration(k.windowMs / 1000));
              cell(row, String(k.partitions));
              usage(cell(row, k.exhausted + " / " + k.partitions), k.exhausted, k.partitions);
              cell(row, String(k.queued));
              cell(row, String(k.rejections));
            });
          }
          function refresh() {
            fetch(stateUrl, { cache: "no-store", credentials: "same-origin" })
              .then(function (response) { if (!response.ok) throw new Error("HTTP " + response.status); return response.json(); })
              .then(function (state) {
                render(state);
                var status = document.getElementById("status");
                status.className = "";
                status.textContent = "Updated " + new Date().toLocaleTimeString() + " (state at " + state.takenAt + ")";
                document.body.setAttribute("data-loaded", "true");
              })
              .catch(function (error) {
                var status = document.getElementById("status");
                status.className = "error";
                status.textContent = "Could not read the state: " + error.message;
              });
          }
          refresh();
          setInterval(refresh, 2000);
        })();
        </script>
        </body>
        </html>
        """;
}
