// The little Markdown a reply uses, drawn as DOM nodes: paragraphs, headings, bulleted and
// numbered lists, fenced blocks, **bold**, *italic*, `code` and http(s) links. Text is only
// ever set as text (never parsed as HTML), so a reply cannot inject markup. A fenced block
// of ABC becomes an empty box with the tune's text in `data-abc`: the studio engraves it
// there, in place of the fence.

const FENCE = /^\s*```\s*([\w+-]*)\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d+)[.)]\s+(.*)$/;
const HEADING = /^\s*(#{1,4})\s+(.*)$/;
const INLINE = /(\*\*[^*\n]+\*\*|__[^_\n]+__|`[^`\n]+`|\*[^*\s][^*\n]*\*|\[[^\]\n]+\]\(https?:\/\/[^\s)]+\))/;

function node(tag, className = "") {
  const element = document.createElement(tag);
  if (className) element.className = className;
  return element;
}

// Inline marks of one line of text, appended to `parent` as text nodes and elements.
export function appendInline(parent, text) {
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      parent.append(rest);
      break;
    }
    if (match.index) parent.append(rest.slice(0, match.index));
    const token = match[0];
    let element;
    if (token.startsWith("**") || token.startsWith("__")) {
      element = node("strong");
      element.textContent = token.slice(2, -2);
    } else if (token.startsWith("`")) {
      element = node("code");
      element.textContent = token.slice(1, -1);
    } else if (token.startsWith("[")) {
      const split = token.indexOf("](");
      element = node("a");
      element.textContent = token.slice(1, split);
      element.href = token.slice(split + 2, -1);
      element.rel = "noopener noreferrer";
      element.target = "_blank";
    } else {
      element = node("em");
      element.textContent = token.slice(1, -1);
    }
    parent.append(element);
    rest = rest.slice(match.index + token.length);
  }
}

// The blocks of `text` as a DocumentFragment.
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = text.replace(/\r/g, "").split("\n");
  let paragraph = null;
  let list = null;
  const close = () => {
    paragraph = null;
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      close();
      const body = [];
      for (i++; i < lines.length && !FENCE.test(lines[i]); i++) body.push(lines[i]);
      const code = body.join("\n");
      if (fence[1].toLowerCase() === "abc" || (!fence[1] && /^\s*K:/m.test(code))) {
        const tune = node("div", "tune-slot");
        tune.dataset.abc = code;
        fragment.append(tune);
      } else {
        const pre = node("pre");
        const inner = node("code");
        inner.textContent = code;
        pre.append(inner);
        fragment.append(pre);
      }
      continue;
    }
    if (!line.trim()) {
      close();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      close();
      // Headings inside a reply sit below the page's own h2/h3: h4 at most.
      const element = node(`h${Math.min(6, heading[1].length + 3)}`, "reply-heading");
      appendInline(element, heading[2]);
      fragment.append(element);
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = NUMBERED.exec(line);
    if (bullet || numbered) {
      const tag = bullet ? "ul" : "ol";
      if (!list || list.tagName.toLowerCase() !== tag) {
        paragraph = null;
        list = node(tag);
        if (numbered && numbered[1] !== "1") list.start = Number(numbered[1]);
        fragment.append(list);
      }
      const item = node("li");
      appendInline(item, bullet ? bullet[1] : numbered[2]);
      list.append(item);
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      list.lastChild.append(" ");
      appendInline(list.lastChild, line.trim());
      continue;
    }
    list = null;
    if (!paragraph) {
      paragraph = node("p");
      fragment.append(paragraph);
    } else {
      paragraph.append(node("br"));
    }
    appendInline(paragraph, line);
  }
  return fragment;
}
