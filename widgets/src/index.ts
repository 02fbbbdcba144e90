// anywidget entry point: the suite view for a SuiteWidget, the sweep view for a LayerSweepWidget.
import type { AnyWidget } from "@anywidget/types";
import type { WidgetTraits } from "./shared/model";
import { renderView } from "./suite/render";
import "./styles.css";

const widget: AnyWidget<WidgetTraits> = { render: renderView };

export default widget;
