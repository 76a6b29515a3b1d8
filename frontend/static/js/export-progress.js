// The report file's page, live: asks the API for the job's progress every second and a half and moves the
// bar; when the file is ready (or failed) it reloads the page, which then shows the download link. Without
// JavaScript the page refreshes itself instead (see reports/export_job.html).
const job = document.querySelector("[data-export-job]");
const bar = job && job.querySelector("[data-export-progress]");
const status = job && job.querySelector("[data-export-status]");

async function poll() {
  try {
    const response = await fetch(job.dataset.exportJob, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      const body = await response.json();
      if (body.status === "done" || body.status === "failed") {
        window.location.reload();
        return;
      }
      bar.value = body.progress;
      bar.textContent = `${body.progress}%`;
      status.textContent = `${body.status_label} (${body.progress}%)`;
    }
  } catch {
    // A dropped connection: try again on the next tick.
  }
  setTimeout(poll, 1500);
}

if (job && bar && status) {
  setTimeout(poll, 1000);
}
