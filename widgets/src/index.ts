// anywidget entry point: the suite view for a SuiteWidget, the sweep view for a LayerSweepWidget.
import { renderView } from "./suite";
import "./styles.css";

export default { render: renderView };
