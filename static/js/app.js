// Small progressive enhancements; every page works without JavaScript.
(function () {
  // Job progress: poll the job's JSON while it runs, then reload to show the final result.
  var job = document.getElementById("job");
  if (job && job.dataset.finished === "0") {
    var url = job.dataset.progressUrl;
    var timer = setInterval(function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        job.querySelector("[data-job-bar]").value = data.percent;
        job.querySelector("[data-job-count]").textContent = data.done + "/" + data.total;
        job.querySelector("[data-job-status]").textContent = data.status_display;
        if (data.finished) { clearInterval(timer); window.location.reload(); }
      }).catch(function () { clearInterval(timer); });
    }, 1500);
  }
  // Confirm before irreversible actions: <form data-confirm="...">.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); } });
  });
  // Print the page: <a href="#" data-print> (no inline handler: the content security policy blocks them).
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
  });
})();
