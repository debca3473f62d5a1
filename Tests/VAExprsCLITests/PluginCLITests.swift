import Foundation
import Testing
import VAExprsTestSupport

/// Run-time plugins end to end: the example plugins, the scaffolds, and every bad file.
@Suite(.serialized) struct PluginCLITests {
    let dir = TestPaths.scratch("plugins")
    /// The folder holding the built example plugins (beside the vaexprs binary).
    var built: String { (CLIRunner.binary as NSString).deletingLastPathComponent }
    var header: String { TestPaths.packageRoot + "/Sources/CVAExprsPluginABI/include" }

    /// One example plugin of Plugins/, a product of this package that `swift build` puts beside
    /// the executable (scripts/test.sh builds before testing), copied into the scratch folder.
    func example(_ name: String) throws -> String {
        let output = dir + "/built/lib\(name).so"
        if FileManager.default.fileExists(atPath: output) { return output }
        let product = built + "/lib\(name).so"
        try #require(
            FileManager.default.fileExists(atPath: product), "\(product) is missing: run `swift build` before the tests"
        )
        try FileManager.default.createDirectory(atPath: dir + "/built", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: product, toPath: output)
        return output
    }

    /// The libffi example with its manifest beside the library (as users install it).
    func ffiExample() throws -> String {
        let folder = dir + "/ffi"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (from, to) in [
            (try example("FFIActivationsPlugin"), folder + "/libFFIActivationsPlugin.so"),
            (
                TestPaths.packageRoot + "/Plugins/FFIActivations/libFFIActivationsPlugin.json",
                folder + "/libFFIActivationsPlugin.json"
            )
        ] {
            try? FileManager.default.removeItem(atPath: to)
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
        return folder + "/libFFIActivationsPlugin.so"
    }

    /// Compiles C source into a shared object with the system compiler.
    func compile(_ source: String, name: String, extraFlags: [String] = []) throws -> String {
        let c = dir + "/\(name).c", so = dir + "/\(name).so"
        try source.write(toFile: c, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-I", header, "-o", so, c] + extraFlags
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "cc \(name)")
        return so
    }

    /// A one-reducer plugin with the given descriptor fields and init.
    func reducerPlugin(
        name: String, abi: String = "VAEXPRS_PLUGIN_ABI_VERSION", component: String = "tiny_reducer",
        initBody: String = "return 0;", extra: String = ""
    ) -> String {
        """
        #include <stdio.h>
        #include <stdlib.h>
        #include "vaexprs_plugin.h"
        \(extra)
        static void *create(const char *o, char *e, size_t n) { (void)o; (void)e; (void)n; return malloc(1); }
        static void destroy(void *s) { free(s); }
        static int32_t reduce(void *s, const double *x, int64_t n, int64_t d, int32_t k, double *out, vaexprs_rng *r, \
        char *e, size_t en) {
            (void)s; (void)r; (void)e; (void)en;
            for (int64_t i = 0; i < n; i++) for (int32_t c = 0; c < k; c++) out[i * k + c] = x[i * d + c % d];
            return 0;
        }
        static int32_t init(const vaexprs_host *h, char *error, size_t size) { (void)h; (void)error; (void)size; \
        \(initBody) }
        static const vaexprs_reducer_vtable table = { sizeof(vaexprs_reducer_vtable), create, destroy, reduce };
        static const vaexprs_component components[] = { { VAEXPRS_KIND_REDUCER, "\(component)", "test", &table } };
        static const vaexprs_plugin descriptor = { VAEXPRS_PLUGIN_MAGIC, \(abi), sizeof(vaexprs_plugin), "\(name)", \
        "0.1", "test plugin",
            init, sizeof(vaexprs_component), 1, components };
        const vaexprs_plugin *vaexprs_plugin_entry(void) { return &descriptor; }
        """
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func examplePluginsEndToEnd() throws {
        let gated = try example("GatedDensePlugin"), projection = try example("RandomProjectionPlugin")
        let vega = try example("VegaLitePlugin"), ffi = try ffiExample()
        let all = ["--plugin", gated, "--plugin", projection, "--plugin", vega, "--plugin", ffi]
        // list: built-ins and every plugin component with its origin and version
        let list = try CLIRunner.run(["plugins", "list"] + all)
        #expect(list.status == 0, "\(list.stderr)")
        for row in [
            "gated_dense", "gated-dense 1.1.0", "random_projection", "vegalite", "softsign", "swish", "head_columns",
            "built-in"
        ] {
            #expect(list.stdout.contains(row), "list should show \(row)")
        }
        // fit with the Swift plugin layer and the libffi activation; generate; reduce; render
        let seed = TestPaths.dataset("seedsim", "counts.csv.gz"), labels = TestPaths.dataset("seedsim", "labels.csv")
        let model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run(
            [
                "fit", "--counts", seed, "--labels", labels, "--encoder", "gated_dense:16,softsign", "--decoder",
                "dense:16:swish",
                "--likelihood", "gaussian", "--epochs", "3", "--output", model
            ] + all)
        #expect(fit.status == 0, "\(fit.stderr)")
        let generate = try CLIRunner.run(["generate", model, "--num-samples", "30", "--output", dir + "/g.csv"] + all)
        #expect(generate.status == 0, "\(generate.stderr)")
        let reduce = try CLIRunner.run(
            ["reduce", "--method", "random_projection", "--input", dir + "/g.csv", "--output", dir + "/rp.csv"] + all)
        #expect(reduce.status == 0, "\(reduce.stderr)")
        #expect(try String(contentsOfFile: dir + "/rp.csv", encoding: .utf8).split(separator: "\n").count == 31)
        let plot = try CLIRunner.run(
            [
                "plot", "aug", "--real", seed, "--generated", dir + "/g.csv", "--method", "head_columns",
                "--output", dir + "/aug.vl.json"
            ] + all)
        #expect(plot.status == 0, "\(plot.stderr)")
        let spec =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/aug.vl.json")))
            as? [String: Any]
        #expect((spec?["$schema"] as? String)?.contains("vega-lite") == true)
        // the model records its plugins; without them, loading names the plugin to load
        let missing = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", dir + "/x.csv"])
        #expect(
            missing.status == 69 && missing.stderr.contains("plugin 'gated-dense' 1.1.0")
                && missing.stderr.contains("--plugin"), "\(missing.stderr)")
        // VAEXPRS_PLUGIN_PATH and --plugin-dir find them too
        let env = try CLIRunner.run(["plugins", "list"], environment: ["VAEXPRS_PLUGIN_PATH": "\(gated):\(dir)/ffi"])
        #expect(env.stdout.contains("gated_dense") && env.stdout.contains("swish"))
        let byDir = try CLIRunner.run(["plugins", "list", "--plugin-dir", dir + "/ffi"])
        #expect(byDir.stdout.contains("softsign") && !byDir.stdout.contains("gated_dense"))
        // conformance checks pass for every example
        for (file, extra) in [
            (gated, ["--spec", "gated_dense:4", "--spec", "plugin_dense:3"]), (projection, []), (vega, []), (ffi, [])
        ] {
            let check = try CLIRunner.run(["plugins", "check", file] + extra)
            #expect(
                check.status == 0 && check.stdout.contains("checks passed"), "\(file): \(check.stdout) \(check.stderr)")
        }
    }

    @Test func scaffoldsBuildAndLoadForEveryKindAndLanguage() throws {
        let kinds = ["layer", "activation", "likelihood", "prior", "latent-sampler", "reducer", "renderer"]
        for language in ["c", "swift"] {
            for kind in kinds {
                let name = "\(language)_" + kind.replacingOccurrences(of: "-", with: "_")
                let out = dir + "/scaffold/\(name)"
                try? FileManager.default.removeItem(atPath: out)
                let new = try CLIRunner.run([
                    "plugin", "new", "--kind", kind, "--language", language, "--name", name, "--output", out,
                    "--templates", TestPaths.packageRoot + "/Templates"
                ])
                #expect(new.status == 0, "\(new.stderr)")
                let build = Process()
                build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                // Swift scaffolds share one build folder, so VAExprsPluginKit (and the core under
                // it) compiles once for all seven.
                build.arguments =
                    language == "c"
                    ? ["make", "-s"]
                    : ["swift", "build", "-c", "release", "-q", "--scratch-path", TestPaths.swiftPluginBuild]
                build.currentDirectoryURL = URL(fileURLWithPath: out)
                build.standardOutput = FileHandle.nullDevice
                try build.run()
                build.waitUntilExit()
                #expect(build.terminationStatus == 0, "\(language) \(kind) does not build")
                let target =
                    name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Plugin"
                let library =
                    language == "c" ? out + "/lib\(name).so" : TestPaths.swiftPluginBuild + "/release/lib\(target).so"
                let check = try CLIRunner.run(["plugins", "check", library])
                #expect(
                    check.status == 0 && check.stdout.contains("checks passed") && check.stdout.contains("\(name)"),
                    "\(language) \(kind): \(check.stdout) \(check.stderr)")
            }
        }
        // A scaffolded reducer works from the CLI at once.
        var matrix = "cell," + (1...6).map { "g\($0)" }.joined(separator: ",") + "\n"
        for i in 1...20 { matrix += "c\(i)," + (1...6).map { j in String((i * j) % 7) }.joined(separator: ",") + "\n" }
        let input = TestPaths.write(matrix, "scaffold-input.csv", in: dir)
        let reduce = try CLIRunner.run([
            "reduce", "--method", "c_reducer", "--plugin", dir + "/scaffold/c_reducer/libc_reducer.so",
            "--input", input, "--output", dir + "/scaffold.csv"
        ])
        #expect(reduce.status == 0, "\(reduce.stderr)")
    }

    @Test func everyBadFileHasItsOwnMessage() throws {
        let good = try compile(reducerPlugin(name: "good-one"), name: "good")
        let text = dir + "/text.so"
        try "not a library".write(toFile: text, atomically: true, encoding: .utf8)
        let noEntry = try compile("int something(void) { return 1; }\n", name: "noentry")
        let oldABI = try compile(reducerPlugin(name: "old-abi", abi: "99u"), name: "oldabi")
        let unresolved = try compile(
            reducerPlugin(
                name: "unresolved", initBody: "vaexprs_missing_function(); return 0;",
                extra: "extern void vaexprs_missing_function(void);"), name: "unresolved")
        let refuses = try compile(
            reducerPlugin(
                name: "refuses", component: "refusing_reducer",
                initBody: "snprintf(error, size, \"licence file not found\"); return 1;"), name: "refuses")
        let clash = try compile(reducerPlugin(name: "clasher", component: "pca"), name: "clash")
        let clashOther = try compile(reducerPlugin(name: "good-two"), name: "good2")  // same component as good
        let badManifest = (try example("FFIActivationsPlugin") as NSString).deletingLastPathComponent + "/bad.json"
        try """
        {"name": "bad-signature", "library": "libFFIActivationsPlugin.so",
         "functions": [{"kind": "activation", "name": "wrongsig", "symbol": "softsign", "signature": "void \
        softsign(const double *x, float *y, int n)",
                        "derivative": {"symbol": "softsign_derivative", "signature": "void (const float *, float *, \
        int64_t)"}}]}
        """.write(toFile: badManifest, atomically: true, encoding: .utf8)
        let files = [text, noEntry, oldABI, unresolved, refuses, good, clash, clashOther, badManifest]
        let list = try CLIRunner.run(["plugins", "list"] + files.flatMap { ["--plugin", $0] })
        #expect(list.status == 0, "\(list.stderr)")
        let expectations: [(String, String)] = [
            (text, "not a shared object"), (noEntry, "no entry symbol 'vaexprs_plugin_entry'"),
            (oldABI, "ABI version 99"),
            (unresolved, "unresolved symbols"),
            (refuses, "plugin 'refuses' refused to initialise: licence file not found"),
            (clash, "reducer 'pca' of plugin 'clasher' clashes with the one from built-in"),
            (clashOther, "clashes with the one from \(good)"),
            (badManifest, "is declared as `void (const double*, float*, int32_t)`")
        ]
        for (file, message) in expectations {
            #expect(
                list.stdout.contains(file) && list.stdout.contains(message),
                "\((file as NSString).lastPathComponent): expected '\(message)' in\n\(list.stdout)")
        }
        // One bad file never stops the others: the good plugin loaded.
        #expect(list.stdout.contains("tiny_reducer") && list.stdout.contains("good-one 0.1"))
        // A failed plugin is a warning for other commands, and a clear error when checked.
        let check = try CLIRunner.run(["plugins", "check", oldABI])
        #expect(check.status == 69 && check.stderr.contains("ABI version 99"), "\(check.stderr)")
    }

    /// Issue 14's loading rules: only regular files (a FIFO named like a plugin is reported, not
    /// opened), the exact path given is the one loaded, nothing world-writable unless allowed, and
    /// manifests bind only functions their own library defines, from their own folder.
    @Test func pluginLoadingRules() throws {
        let folder = dir + "/rules"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = try compile(reducerPlugin(name: "rules-good", component: "rules_reducer"), name: "rulesgood")
        let inFolder = folder + "/rulesgood.so"
        try? FileManager.default.removeItem(atPath: inFolder)
        try FileManager.default.copyItem(atPath: good, toPath: inFolder)
        #expect(mkfifo(folder + "/blocking.so", 0o644) == 0)
        #expect(mkfifo(folder + "/manifest-fifo.json", 0o644) == 0)
        let scan = try CLIRunner.run(["plugins", "list", "--plugin-dir", folder], timeLimit: 60)
        #expect(!scan.timedOut && scan.status == 0, "\(scan.stderr)")
        #expect(
            scan.stdout.contains("blocking.so: not a regular file (a FIFO)")
                && scan.stdout.contains("manifest-fifo.json: not a regular file (a FIFO)"), "\(scan.stdout)")
        #expect(
            scan.stdout.contains("rules_reducer"), "the regular plugin beside the FIFOs still loads:\n\(scan.stdout)")

        // A bare name is the file in the working folder, never one the loader finds on its path.
        let elsewhere = TestPaths.scratch("rules-cwd")
        let bare = try CLIRunner.run(
            ["plugins", "check", "rulesgood.so"], in: elsewhere, environment: ["LD_LIBRARY_PATH": folder])
        #expect(bare.status != 0 && bare.stderr.contains("rulesgood.so: no such file"), "\(bare.stderr)")
        let here = try CLIRunner.run(["plugins", "check", "rulesgood.so"], in: folder)
        #expect(here.status == 0, "\(here.stderr)")

        // World-writable file, then world-writable folder: refused, unless allowed.
        #expect(chmod(inFolder, 0o666) == 0)
        let writableFile = try CLIRunner.run(["plugins", "list", "--plugin", inFolder])
        #expect(
            writableFile.stdout.contains("the file is world-writable")
                && !writableFile.stdout.contains("rules_reducer"), "\(writableFile.stdout)")
        let allowed = try CLIRunner.run(["plugins", "list", "--plugin", inFolder, "--allow-insecure-plugins"])
        #expect(allowed.stdout.contains("rules_reducer"), "\(allowed.stdout)")
        #expect(chmod(inFolder, 0o644) == 0 && chmod(folder, 0o777) == 0)
        defer { chmod(folder, 0o755) }
        let writableFolder = try CLIRunner.run(["plugins", "check", inFolder])
        #expect(
            writableFolder.status != 0 && writableFolder.stderr.contains("is world-writable"),
            "\(writableFolder.stderr)")
        #expect(chmod(folder, 0o755) == 0)

        // Manifests: no library outside their folder, and no symbol a dependency defines.
        let library = try ffiExample()
        let ffiFolder = (library as NSString).deletingLastPathComponent
        func manifest(_ name: String, library: String, symbol: String = "softsign") throws -> String {
            let path = ffiFolder + "/\(name).json"
            try """
            {"name": "\(name)", "library": "\(library)", "functions": [{"kind": "activation", "name": "\(name)_act", \
            "symbol": "\(symbol)",
             "signature": "void f(const float *x, float *y, int64_t n)",
             "derivative": {"symbol": "softsign_derivative", "signature": "void (const float *, float *, int64_t)"}}]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let cases: [(String, String)] = [
            (
                try manifest("upward", library: "../ffi/libFFIActivationsPlugin.so"),
                "is not a file in the manifest's folder"
            ),
            (
                try manifest("system", library: "/lib/x86_64-linux-gnu/libc.so.6"),
                "is not a file in the manifest's folder"
            ),
            (
                try manifest("borrowed", library: "libFFIActivationsPlugin.so", symbol: "abort"),
                "symbol 'abort' is not defined in"
            )
        ]
        for (file, message) in cases {
            let result = try CLIRunner.run(["plugins", "check", file])
            #expect(
                result.status != 0 && result.stderr.contains(message),
                "\((file as NSString).lastPathComponent): \(result.stderr)")
        }
        let own = try manifest("own", library: "libFFIActivationsPlugin.so")
        let ownResult = try CLIRunner.run(["plugins", "check", own])
        #expect(ownResult.status == 0, "\(ownResult.stderr)")
    }

    /// A Poisson count likelihood in C written against ABI 2 (per-cell library sizes from the
    /// context), or, with `abi1`, a unit-variance Gaussian on scaled data with an ABI 1 vtable
    /// (the struct ends before the ABI 2 fields) and descriptor.
    func likelihoodPlugin(abi1: Bool) -> String {
        """
        #include <math.h>
        #include <stdlib.h>
        #include <stddef.h>
        #include "vaexprs_plugin.h"
        static const vaexprs_host *host;
        static int32_t init(const vaexprs_host *h, char *e, size_t n) { (void)e; (void)n; host = h; return 0; }
        static void *create(const char *o, char *e, size_t n) { (void)o; (void)e; (void)n; return malloc(1); }
        static void destroy(void *s) { free(s); }
        /* ABI 1: unit-variance Gaussian around the output. */
        static void evaluate(void *s, const float *out, const float *x, int64_t rows, int64_t cols, float scale, \
        double *total, float *g) {
            (void)s; double sum = 0;
            for (int64_t i = 0; i < rows * cols; i++) { double r = out[i] - x[i]; sum += 0.5 * r * r; if (g) g[i] = \
        scale * (float)r; }
            *total = sum;
        }
        static void mean(void *s, const float *out, int64_t rows, int64_t cols, float *m) { (void)s; for (int64_t i = \
        0; i < rows * cols; i++) m[i] = out[i]; }
        static void sample(void *s, const float *out, int64_t rows, int64_t cols, float *d, vaexprs_rng *rng) {
            (void)s; for (int64_t i = 0; i < rows * cols; i++) d[i] = out[i] + (float)host->rng_normal(rng);
        }
        /* ABI 2: Poisson with mean library × softmax(output). */
        static void proportions(const float *out, int64_t g, double *p) {
            double top = out[0], z = 0; for (int64_t j = 1; j < g; j++) if (out[j] > top) top = out[j];
            for (int64_t j = 0; j < g; j++) { p[j] = exp(out[j] - top); z += p[j]; }
            for (int64_t j = 0; j < g; j++) p[j] /= z;
        }
        static void evaluate_cells(void *s, const float *out, const float *x, int64_t rows, int64_t g, const \
        vaexprs_cell_context *c,
                                   float scale, double *total, float *grad) {
            (void)s; double sum = 0, *p = malloc(sizeof(double) * g);
            for (int64_t r = 0; r < rows; r++) {
                double lib = c->library_size[r], tsum = 0;
                proportions(out + r * g, g, p);
                for (int64_t j = 0; j < g; j++) { double mu = lib * p[j], k = x[r * g + j]; sum += mu - k * log(mu) + \
        lgamma(k + 1); tsum += mu - k; }
                if (grad) for (int64_t j = 0; j < g; j++) grad[r * g + j] = scale * (float)(lib * p[j] - x[r * g + j] \
        - p[j] * tsum);
            }
            free(p); *total = sum;
        }
        static void mean_cells(void *s, const float *out, int64_t rows, int64_t g, const vaexprs_cell_context *c, \
        float *m) {
            (void)s; double *p = malloc(sizeof(double) * g);
            for (int64_t r = 0; r < rows; r++) { proportions(out + r * g, g, p); for (int64_t j = 0; j < g; j++) m[r * \
        g + j] = (float)(c->library_size[r] * p[j]); }
            free(p);
        }
        static void sample_cells(void *s, const float *out, int64_t rows, int64_t g, const vaexprs_cell_context *c, \
        float *d, vaexprs_rng *rng) {
            mean_cells(s, out, rows, g, c, d);
            for (int64_t i = 0; i < rows * g; i++) {  /* Knuth's Poisson: the test's means are small */
                double limit = exp(-d[i]), prod = host->rng_uniform(rng); int k = 0;
                while (prod > limit) { prod *= host->rng_uniform(rng); k++; }
                d[i] = (float)k;
            }
        }
        #ifdef ABI1
        static const vaexprs_likelihood_vtable table = { offsetof(vaexprs_likelihood_vtable, data), create, destroy, \
        evaluate, mean, sample };
        #define ABI 1u
        #define NAME "gauss_v1"
        #else
        static const vaexprs_likelihood_vtable table = { sizeof(vaexprs_likelihood_vtable), create, destroy, evaluate, \
        mean, sample,
            VAEXPRS_LIKELIHOOD_COUNTS, evaluate_cells, mean_cells, sample_cells };
        #define ABI VAEXPRS_PLUGIN_ABI_VERSION
        #define NAME "c_poisson"
        #endif
        static const vaexprs_component components[] = { { VAEXPRS_KIND_LIKELIHOOD, NAME, "test", &table } };
        static const vaexprs_plugin descriptor = { VAEXPRS_PLUGIN_MAGIC, ABI, sizeof(vaexprs_plugin), NAME "_plugin", \
        "0.1", "test plugin",
            init, sizeof(vaexprs_component), 1, components };
        const vaexprs_plugin *vaexprs_plugin_entry(void) { return &descriptor; }
        """
    }

    @Test func countLikelihoodPluginsGetCellContextAndOldPluginsStillLoad() throws {
        let counts = TestPaths.write(
            "cell,g1,g2,g3,g4\n"
                + (1...40).map { i in "c\(i),\(i % 5 + 1),\(i % 3),\((i * 7) % 4),\(i % 2 + 2)\n" }.joined(),
            "plugin_counts.csv", in: dir)
        let small = [
            "--encoder", "dense:8:relu", "--decoder", "dense:8:relu", "--latent-dim", "2", "--epochs", "3", "--seed",
            "4"
        ]
        // The ABI 2 plugin's Poisson gives the built-in poisson's losses (same seed, same network).
        let poisson = try compile(likelihoodPlugin(abi1: false), name: "c_poisson", extraFlags: ["-lm"])
        let plugin = try CLIRunner.run(
            [
                "fit", "--counts", counts, "--likelihood", "c_poisson", "--plugin", poisson,
                "--output", dir + "/cp.vaexprs"
            ] + small)
        let builtIn = try CLIRunner.run(
            ["fit", "--counts", counts, "--likelihood", "poisson", "--output", dir + "/bp.vaexprs"] + small)
        #expect(plugin.status == 0 && builtIn.status == 0, "\(plugin.stderr) \(builtIn.stderr)")
        func losses(_ text: String) -> [Double] {
            text.split(separator: "\n").compactMap { line in
                line.range(of: ": loss ").flatMap { r in Double(line[r.upperBound...].prefix { $0 != " " }) }
            }
        }
        let a = losses(plugin.stderr), b = losses(builtIn.stderr)
        #expect(a.count == 3 && b.count == 3 && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * abs($1) }, "\(a) vs \(b)")
        let generated = try CLIRunner.run([
            "generate", dir + "/cp.vaexprs", "--num-samples", "10", "--output", dir + "/cp.csv", "--plugin", poisson
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        let values = try String(contentsOfFile: dir + "/cp.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .flatMap { $0.split(separator: ",").dropFirst().map { Double($0)! } }
        #expect(values.count == 40 && values.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
        // An ABI 1 plugin (shorter vtable, old descriptor) still loads and is called without context.
        let old = try compile(likelihoodPlugin(abi1: true), name: "gauss_v1", extraFlags: ["-DABI1", "-lm"])
        let list = try CLIRunner.run(["plugins", "list", "--plugin", old])
        #expect(list.status == 0 && list.stdout.contains("gauss_v1"), "\(list.stderr)")
        let fit = try CLIRunner.run(
            ["fit", "--counts", counts, "--likelihood", "gauss_v1", "--plugin", old, "--output", dir + "/g1.vaexprs"]
                + small)
        #expect(fit.status == 0 && fit.stderr.contains("epoch 3/3"), "\(fit.stderr)")
        // A vtable shorter than ABI 1's is refused with the sizes.
        let broken = try compile(
            likelihoodPlugin(abi1: true).replacingOccurrences(
                of: "offsetof(vaexprs_likelihood_vtable, data)", with: "16"),
            name: "gauss_short", extraFlags: ["-DABI1", "-lm"])
        let refused = try CLIRunner.run(["plugins", "check", broken])
        #expect(refused.status == 69 && refused.stderr.contains("16-byte vtable"), "\(refused.stderr)")
    }
}
