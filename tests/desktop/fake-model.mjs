// A tiny OpenAI-compatible server for the desktop tests: no model is reachable from CI, so the
// app's "custom" profile points here. It replays realistic Groq-shaped replies — `GET /models`, a
// `chat.completion` object for plain requests and `chat.completion.chunk` server-sent events for
// streamed ones (the SQL agent streams) — and records every request, headers included, so a test
// can see what the app sent (the key in `Authorization`, the prompt, whether sample values went).
//
//   const model = await startFakeModel({ sql: [{ sql: "SELECT ...", explanation: "..." }] });
//   model.baseUrl            // http://127.0.0.1:PORT/openai/v1
//   model.requests           // [{ method, path, headers, body }]
//   await model.close();
//
// SQL replies are used in order (the last one repeats); a request whose system prompt is the
// connectivity check of "Test connection" gets "ready".

import { createServer } from "node:http";

export const MODEL = "llama-3.3-70b-versatile";
const CREATED = 1_764_000_000;

function completion(content, model) {
  return {
    id: "chatcmpl-9b2e4c",
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, logprobs: null, finish_reason: "stop" }],
    usage: {
      queue_time: 0.02,
      prompt_tokens: 812,
      prompt_time: 0.03,
      completion_tokens: 64,
      completion_time: 0.05,
      total_tokens: 876,
    },
    system_fingerprint: "fp_c4760ee9f5",
    x_groq: { id: "req_01jq9" },
  };
}

function chunk(delta, finish, model) {
  return {
    id: "chatcmpl-7f3a",
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    system_fingerprint: "fp_c4760ee9f5",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
}

/** Every message's text of a recorded chat request, for looking into the prompt. */
export function promptOf(request) {
  return (request.body?.messages ?? []).map((m) => (typeof m.content === "string" ? m.content : "")).join("\n---\n");
}

export async function startFakeModel({ sql = [], models = [MODEL] } = {}) {
  const requests = [];
  const replies = [...sql];
  let last = replies[0] ?? { sql: "SELECT 1 AS one", explanation: "one" };

  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (piece) => (raw += piece));
    req.on("end", async () => {
      let body = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = null;
      }
      requests.push({ method: req.method, path: req.url, headers: req.headers, body });
      if (req.method === "GET" && req.url.endsWith("/models")) {
        const listing = { object: "list", data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "Meta" })) };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(listing));
        return;
      }
      if (req.method !== "POST" || !req.url.endsWith("/chat/completions") || !body) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `unknown route ${req.method} ${req.url}`, type: "invalid_request_error" } }));
        return;
      }
      const model = body.model ?? MODEL;
      const system = (body.messages ?? []).find((m) => m.role === "system")?.content ?? "";
      let content;
      if (String(system).includes("connectivity check")) {
        content = "ready";
      } else {
        last = replies.shift() ?? last;
        content = JSON.stringify(last);
      }
      if (!body.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(completion(content, model)));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "close" });
      res.write(`data: ${JSON.stringify(chunk({ role: "assistant", content: "" }, null, model))}\n\n`);
      for (let at = 0; at < content.length; at += 24) {
        await new Promise((r) => setTimeout(r, 2));
        res.write(`data: ${JSON.stringify(chunk({ content: content.slice(at, at + 24) }, null, model))}\n\n`);
      }
      res.write(`data: ${JSON.stringify(chunk({}, "stop", model))}\n\ndata: [DONE]\n\n`);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}/openai/v1`,
    requests,
    /** Chat requests only (not model listings). */
    chats: () => requests.filter((r) => r.path.endsWith("/chat/completions")),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// `node fake-model.mjs` runs it alone (for trying the app or the CLI against it by hand).
if (import.meta.url === `file://${process.argv[1]}`) {
  const model = await startFakeModel({
    sql: [{ sql: "SELECT 1 AS one", explanation: "A constant, from the fake model." }],
  });
  console.log(model.baseUrl);
}
