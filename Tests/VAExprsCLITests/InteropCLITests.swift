import Foundation
import Testing
import VAExprsTestSupport

/// Whether `python3 -m venv` can make environments here (Debian: python3-venv).
private let canMakeVenvs: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import venv, ensurepip"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

/// Runs a program to completion; returns its status and merged output.
private func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Our `.h5ad` opened by the Python `anndata` package, and our 10x `.h5` read the way
/// scanpy's `read_10x_h5` reads Cell Ranger ≥ 3 files (h5py, the `matrix` group). The virtual
/// environment (anndata from PyPI) is made once under `.build/test-venvs/` and reused.
@Suite(.serialized) struct InteropCLITests {
    let dir = TestPaths.scratch("interop")

    @Test(
        .enabled(
            if: canMakeVenvs, "python3 with venv and ensurepip (Debian: python3-venv) is needed to install anndata"))
    func anndataReadsOurH5ADAndOurH5HasCellRangersLayout() throws {
        let fit = try CLIRunner.run([
            "fit", "--counts", TestPaths.dataset("pbmc_small", "data.h5ad"), "--labels",
            TestPaths.dataset("pbmc_small", "labels.csv"),
            "--epochs", "3", "--encoder", "dense:16:relu", "--decoder", "dense:16:relu", "--output", dir + "/m.vaexprs"
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        for name in ["g.h5ad", "g.h5"] {
            let gen = try CLIRunner.run([
                "generate", dir + "/m.vaexprs", "--num-samples", "1500", "--output", dir + "/" + name
            ])
            #expect(gen.status == 0, "\(gen.stderr)")
        }
        let venv = TestPaths.packageRoot + "/.build/test-venvs/anndata"
        let ready =
            try FileManager.default.fileExists(atPath: venv + "/bin/python")
            && run(venv + "/bin/python", ["-c", "import anndata, h5py"]).0 == 0
        if !ready {
            let (made, log) = try run("/usr/bin/env", ["python3", "-m", "venv", "--clear", venv])
            try #require(made == 0, "python3 -m venv failed: \(log)")
            let (installed, pipLog) = try run(
                venv + "/bin/pip", ["install", "--quiet", "--disable-pip-version-check", "anndata", "h5py"])
            try #require(installed == 0, "pip install anndata (PyPI must be reachable): \(pipLog)")
        }
        let script = """
            import sys, anndata, h5py, numpy as np, scipy.sparse as sp
            a = anndata.read_h5ad(sys.argv[1])
            assert a.shape == (1500, 230), a.shape
            assert sp.issparse(a.X) and a.X.format == "csr" and np.issubdtype(a.X.dtype, np.integer), (type(a.X), \
            a.X.dtype)
            assert str(a.obs["label"].dtype) == "category" and set(a.obs["label"].cat.categories) == {"0", "1", "2"}
            assert a.obs_names[0] == "gen1" and a.var_names[0] == "MS4A1"
            assert a.obsm["X_vaexprs"].shape[0] == 1500
            assert a.uns["vaexprs"]["likelihood"] == "zinb"
            with h5py.File(sys.argv[2], "r") as f:
                m = f["matrix"]
                genes, cells = m["shape"][()]
                X = sp.csr_matrix((m["data"][()], m["indices"][()], m["indptr"][()]), shape=(cells, genes))
                assert (X != a.X).nnz == 0, "the .h5 and the .h5ad hold different counts"
                assert m["barcodes"][()].astype(str)[0] == "gen1"
                assert m["features"]["id"][()].astype(str)[0] == "MS4A1"
                assert set(m["features"]["feature_type"][()].astype(str)) == {"Gene Expression"}
                assert "PYTABLES_FORMAT_VERSION" in f.attrs
            print("ok", a.X.sum())
            """
        let scriptPath = TestPaths.write(script, "check.py", in: dir)
        let (status, output) = try run(venv + "/bin/python", [scriptPath, dir + "/g.h5ad", dir + "/g.h5"])
        #expect(status == 0 && output.hasPrefix("ok"), "\(output)")
    }
}
