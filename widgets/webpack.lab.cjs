// Merged into JupyterLab's builder config: module and chunk ids by order, not by hashes of
// absolute paths, so the committed extension is the same byte for byte wherever it is built.
module.exports = {
  optimization: { moduleIds: "natural", chunkIds: "natural" },
};
