// Offline report host: the views over the inline JSON state of the page (a sweep's, or a suite's
// with its `suite` key), with no kernel.
import { fitFrame } from "./shared/frame";
import { StaticModel, type WidgetTraits } from "./shared/model";
import { renderView } from "./suite/render";

const stateBlock = document.getElementById("saeprobe-state");
const mount = document.getElementById("saeprobe-root");
if (stateBlock && mount) {
  const traits: WidgetTraits = JSON.parse(stateBlock.textContent ?? "{}");
  renderView({ model: new StaticModel(traits), el: mount });
  fitFrame(window);
}
