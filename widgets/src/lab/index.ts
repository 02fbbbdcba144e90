// The JupyterLab extension: the "saeprobe" side panel, the sweep form, report tabs, and commands
// in the palette and the file browser's context menu. It talks to saeprobe only through the
// server extension's REST API.
import { ILabShell, type JupyterFrontEnd, type JupyterFrontEndPlugin } from "@jupyterlab/application";
import { ICommandPalette, IThemeManager, MainAreaWidget, showErrorMessage } from "@jupyterlab/apputils";
import { PathExt } from "@jupyterlab/coreutils";
import { IDocumentManager } from "@jupyterlab/docmanager";
import { IDefaultFileBrowser } from "@jupyterlab/filebrowser";
import { SaeprobeApi } from "./api";
import { SweepForm } from "./form";
import { resultNotebook, shortName, type JobSummary } from "./jobs";
import { SweepsPanel } from "./panel";
import { isSweepResult, JobReport, ResultView } from "./report";

export const COMMANDS = {
  panel: "saeprobe:open-panel",
  sweep: "saeprobe:new-sweep",
  sweepFile: "saeprobe:sweep-file",
  openResult: "saeprobe:open-result",
};

const TABLE_FILE = /\.(csv|tsv|tab|jsonl|ndjson)$/i;
// Where "open in a notebook" saves a finished job's result, relative to the server's root.
const RESULTS_FOLDER = "saeprobe-results";

function activate(
  app: JupyterFrontEnd, labShell: ILabShell, documents: IDocumentManager, browser: IDefaultFileBrowser,
  palette: ICommandPalette | null, themes: IThemeManager | null,
): void {
  const api = new SaeprobeApi(app.serviceManager.serverSettings);
  const reports = new Map<string, MainAreaWidget<JobReport>>();

  const openReport = (job: JobSummary) => {
    const open = reports.get(job.id);
    if (open && !open.isDisposed) {
      labShell.activateById(open.id);
      return;
    }
    const content = new JobReport(api, job.id, `${shortName(job.model)} on ${shortName(job.data)}`);
    const tab = new MainAreaWidget({ content });
    tab.id = content.id;
    tab.title.label = content.title.label;
    tab.title.caption = content.title.caption;
    reports.set(job.id, tab);
    labShell.add(tab, "main");
    labShell.activateById(tab.id);
  };

  const openNotebook = async (job: JobSummary) => {
    const result = await api.result(job.id);
    const contents = app.serviceManager.contents;
    await contents.save(RESULTS_FOLDER, { type: "directory" }).catch(() => undefined);
    const resultPath = `${RESULTS_FOLDER}/sweep-${job.id.slice(0, 8)}.json`;
    await contents.save(resultPath, { type: "file", format: "text", content: JSON.stringify(result) });
    const notebookPath = `${RESULTS_FOLDER}/sweep-${job.id.slice(0, 8)}.ipynb`;
    // The kernel starts in the notebook's folder, so the cell names the result beside it.
    await contents.save(notebookPath, { type: "notebook", format: "json", content: resultNotebook(PathExt.basename(resultPath)) });
    documents.openOrReveal(notebookPath);
  };

  const panel = new SweepsPanel(api, { newSweep: () => void app.commands.execute(COMMANDS.sweep), openReport, openNotebook });
  labShell.add(panel, "right", { rank: 900 });
  themes?.themeChanged.connect(() => reports.forEach((tab) => !tab.isDisposed && tab.content.followTheme()));

  const openForm = (data?: string) => {
    const content = new SweepForm(api, documents, {
      data,
      onStarted: () => {
        labShell.activateById(panel.id);
        panel.nudge();
      },
    });
    const tab = new MainAreaWidget({ content });
    tab.title.label = data ? `Sweep ${PathExt.basename(data)}` : "New saeprobe sweep";
    tab.title.closable = true;
    labShell.add(tab, "main");
    labShell.activateById(tab.id);
  };

  app.commands.addCommand(COMMANDS.panel, {
    label: "Show saeprobe sweeps",
    caption: "The saeprobe panel: sweep jobs, their progress and reports",
    execute: () => labShell.activateById(panel.id),
  });
  app.commands.addCommand(COMMANDS.sweep, {
    label: "New saeprobe sweep…",
    caption: "Start a sweep from a form: model, data, SAE sets, settings",
    execute: () => openForm(),
  });
  const selected = () => browser.selectedItems().next().value ?? null;
  app.commands.addCommand(COMMANDS.sweepFile, {
    label: "Sweep with saeprobe…",
    caption: "Open the saeprobe sweep form with this file as the data",
    isVisible: () => Boolean(selected() && TABLE_FILE.test(selected()!.name)),
    execute: (args) => openForm((args.path as string | undefined) ?? selected()?.path),
  });
  app.commands.addCommand(COMMANDS.openResult, {
    label: "Open saeprobe report",
    caption: "Draw a saeprobe sweep result (its JSON file) in a tab",
    isVisible: () => Boolean(selected() && /\.json$/i.test(selected()!.name)),
    execute: async (args) => {
      const path = (args.path as string | undefined) ?? selected()?.path;
      if (!path) {
        await showErrorMessage("No result selected", "Select a sweep result (a .json file) in the file browser first.");
        return;
      }
      try {
        const file = await app.serviceManager.contents.get(path, { type: "file", format: "text", content: true });
        const document = JSON.parse(String(file.content));
        if (!isSweepResult(document)) {
          await showErrorMessage("Not a saeprobe result", `${path} is not a sweep result (SweepResult.to_json writes one).`);
          return;
        }
        const content = new ResultView(document, path);
        const tab = new MainAreaWidget({ content });
        tab.title.label = content.title.label;
        labShell.add(tab, "main");
        labShell.activateById(tab.id);
      } catch (error) {
        await showErrorMessage("Cannot open the saeprobe report", (error as Error).message);
      }
    },
  });
  // The palette offers the file commands too, for the file selected in the file browser.
  for (const command of Object.values(COMMANDS)) palette?.addItem({ command, category: "saeprobe" });
  app.contextMenu.addItem({ command: COMMANDS.sweepFile, selector: '.jp-DirListing-item[data-isdir="false"]', rank: 20 });
  app.contextMenu.addItem({ command: COMMANDS.openResult, selector: '.jp-DirListing-item[data-isdir="false"]', rank: 21 });
  // For the browser test: the panel's first sight of each job's progress.
  (window as unknown as { saeprobePanel?: SweepsPanel }).saeprobePanel = panel;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: "saeprobe:plugin",
  description: "A panel that starts, watches and opens saeprobe sweeps through the server extension's REST API.",
  autoStart: true,
  requires: [ILabShell, IDocumentManager, IDefaultFileBrowser],
  optional: [ICommandPalette, IThemeManager],
  activate,
};

export default plugin;
