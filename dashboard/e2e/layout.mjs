// Geometric checks of the page as laid out by the browser (the end-to-end test runs them at phone and wall sizes):
// nothing scrolls sideways, nothing visible sticks out of the viewport, the blocks of each layout container do not
// overlap one another, and cards are wide enough to read (no "one word per line"). Returns the problems found, in
// words, empty when the layout is sound.

/** Runs inside the page. */
function inspect({ minCardWidth }) {
  const problems = [];
  const viewport = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll > viewport + 1) { problems.push(`the page scrolls sideways: ${scroll} px of content in a ${viewport} px viewport`); }

  const shown = el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none' && !el.closest('[hidden]');
  };
  const describe = el => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      const id = node.dataset?.testid ? `[data-testid=${node.dataset.testid}]` : node.id ? `#${node.id}` : '';
      const cls = typeof node.className === 'string' && node.className.trim() ? `.${node.className.trim().split(/\s+/).slice(0, 2).join('.')}` : '';
      parts.unshift(`${node.tagName.toLowerCase()}${id || cls}`);
      if (id) { break; }
    }
    return parts.join(' > ');
  };
  const box = el => { const r = el.getBoundingClientRect(); return `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`; };

  // Everything drawn lies within the viewport's width (plots included: uPlot draws at a fixed pixel width).
  let outside = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (!shown(el)) { continue; }
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > viewport + 1) {
      if (outside++ < 8) { problems.push(`${describe(el)} sticks out of the ${viewport} px viewport (${box(el)})`); }
    }
  }
  if (outside > 8) { problems.push(`... and ${outside - 8} more elements outside the viewport`); }

  // The blocks of each layout container never overlap (the alarms panel over the cards, a value over its label).
  const containers = ['header', 'main', '#lab', '#overview', '.rig', '.card', '.card dl', '#detail', '.plots', 'figure', '#operator', '#operator form', '.actions', '#alarms', '.lab-rig'];
  for (const selector of containers) {
    for (const container of document.querySelectorAll(selector)) {
      if (!shown(container)) { continue; }
      const children = [...container.children].filter(shown);
      for (let i = 0; i < children.length; i++) {
        const a = children[i].getBoundingClientRect();
        for (let j = i + 1; j < children.length; j++) {
          const b = children[j].getBoundingClientRect();
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) { problems.push(`${describe(children[i])} (${box(children[i])}) overlaps ${describe(children[j])} (${box(children[j])})`); }
        }
      }
    }
  }

  for (const card of document.querySelectorAll('.card')) {
    if (shown(card) && card.getBoundingClientRect().width < minCardWidth) {
      problems.push(`${describe(card)} is only ${Math.round(card.getBoundingClientRect().width)} px wide (text would wrap a word per line)`);
    }
  }
  return { problems, viewport, scroll, cards: document.querySelectorAll('.card').length };
}

export async function checkLayout(page, { minCardWidth = 200 } = {}) {
  return page.evaluate(inspect, { minCardWidth });
}

/**
 * WCAG AA contrast of every piece of text on the page (4.5:1, 3:1 for large text), against the first opaque
 * background behind it, with the opacity of its ancestors blended in (an acknowledged alarm, an offline rig).
 * Text drawn on a plot's canvas is not in the DOM and not checked.
 */
function contrast() {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) { return null; } const [r, g, b, a = 1] = m[1].split(/[,/ ]+/).filter(Boolean).map(Number); return { r, g, b, a }; };
  const lum = ({ r, g, b }) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const mix = (top, bottom, alpha) => ({ r: top.r * alpha + bottom.r * (1 - alpha), g: top.g * alpha + bottom.g * (1 - alpha), b: top.b * alpha + bottom.b * (1 - alpha) });
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg && bg.a > 0.5) { return bg; }
    }
    return { r: 255, g: 255, b: 255 };
  };
  const problems = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // Disabled controls are exempt (WCAG 1.4.3: inactive user interface components).
    if (!node.textContent.trim() || seen.has(el) || el.closest('[hidden], dialog:not([open]), :disabled')) { continue; }
    seen.add(el);
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') { continue; }
    let opacity = 1;
    for (let n = el; n; n = n.parentElement) { opacity *= Number(getComputedStyle(n).opacity); }
    const bg = background(el);
    const fg = mix(parse(style.color), bg, opacity * (parse(style.color).a ?? 1));
    const [light, dark] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    checked++;
    if (ratio < (large ? 3 : 4.5)) {
      problems.push(`"${node.textContent.trim().slice(0, 40)}" (${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}): contrast ${ratio.toFixed(2)}:1`);
    }
  }
  return { problems: problems.slice(0, 15), checked };
}

export async function checkContrast(page) {
  return page.evaluate(contrast);
}
