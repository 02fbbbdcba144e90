// anywidget entry point.
import { render } from "./render";
import "./styles.css";

export default { render };
