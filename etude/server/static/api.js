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
