// A report inside the frame a saved notebook shows it in: the frame follows the page's height, so
// nothing is cut off and no inner scroll bar appears.

/** The attribute that marks frames saeprobe made (the notebook's saved view); other frames, a
 * course page's say, keep the height their author gave them. */
export const AUTOSIZE = "data-saeprobe-autosize";

/** Keep the frame holding `win`'s page, when saeprobe made it, as tall as the page, now and as it
 * changes; nothing when the page is not framed or the frame is out of reach (another origin). */
export function fitFrame(win: Window): void {
  let frame: Element | null = null;
  try {
    frame = win.frameElement;
  } catch {
    return;
  }
  if (!frame || !frame.hasAttribute(AUTOSIZE) || !("style" in frame)) return;
  const host = frame as HTMLElement;
  const page = win.document.documentElement;
  const fit = () => {
    const height = `${Math.ceil(page.scrollHeight) + 4}px`;
    if (host.style.height !== height) host.style.height = height;
  };
  new ResizeObserver(fit).observe(win.document.body);
  fit();
}
