// The studio's calls to the Etude API. Every error arrives as {"error": "..."}; callers get an
// Error whose message is that line, ready to show to the learner.

async function parse(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (_) {
    // not ours (a proxy's error page, say): the status line below says what happened
  }
  if (!response.ok) {
    throw new Error((body && body.error) || `the server answered ${response.status}`);
  }
  return body;
}

export async function getJSON(path) {
  return parse(await fetch(path, { headers: { Accept: "application/json" } }));
}

export async function postJSON(path, payload) {
  return parse(await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(payload ?? {}),
  }));
}

export async function postForm(path, form) {
  return parse(await fetch(path, { method: "POST", body: form }));
}

// POST a turn and call onEvent for each Server-Sent Event (route, evidence, token, done,
// error). EventSource only does GET, so the stream is read and split by hand.
export async function streamTurn(path, payload, onEvent) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(payload),
  });
  if (!response.ok) {
    await parse(response);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (data) onEvent(JSON.parse(data));
    }
  }
}

// The file name a download response gives (RFC 6266: the UTF-8 form first), or `fallback`.
function attachmentName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (utf8) return decodeURIComponent(utf8[1]);
  const plain = /filename="([^"]+)"/i.exec(header);
  return plain ? plain[1] : fallback;
}

// Fetch a file (GET, or POST with a JSON payload) and hand it to the browser as a download
// under the name the server gave it. Fetched rather than linked, so that a refusal (ABC that
// cannot carry a score) arrives as a message for the learner instead of a downloaded error.
export async function download(path, payload = null) {
  const init = payload === null
    ? { headers: { Accept: "*/*" } }
    : { method: "POST", headers: { "Content-Type": "application/json", Accept: "*/*" }, body: JSON.stringify(payload) };
  const response = await fetch(path, init);
  if (!response.ok) await parse(response);
  const name = attachmentName(response, "score");
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
