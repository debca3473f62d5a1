// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "VAExprs",
    products: [
        .library(name: "VAExprs", targets: ["VAExprs"]),
        .library(name: "VAExprsConformance", targets: ["VAExprsConformance"]),
        // What a Swift plugin builds on: the core protocols, exported through the C ABI.
        .library(name: "VAExprsPluginKit", targets: ["VAExprsPluginKit"]),
        // libVAExprsC.so, the C library for host languages (scripts/build-c-library.sh installs it
        // as libvaexprs.so beside vaexprs.h).
        .library(name: "VAExprsC", type: .dynamic, targets: ["VAExprsC"]),
        .executable(name: "vaexprs", targets: ["vaexprs"]),
        // Example run-time plugins (shared objects for --plugin).
        .library(name: "GatedDensePlugin", type: .dynamic, targets: ["GatedDensePlugin"]),
        .library(name: "RandomProjectionPlugin", type: .dynamic, targets: ["RandomProjectionPlugin"]),
        .library(name: "VegaLitePlugin", type: .dynamic, targets: ["VegaLitePlugin"]),
        .library(name: "FFIActivationsPlugin", type: .dynamic, targets: ["FFIActivationsPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: C libraries (system library shims)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5"),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE"),
        .systemLibrary(name: "CARPACK", path: "Sources/CARPACK"),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo"),
        .systemLibrary(name: "CGraphviz", path: "Sources/CGraphviz"),
        .systemLibrary(name: "CFFI", path: "Sources/CFFI"),
        // The plugin ABI: one C header (vaexprs_plugin.h), shared by the host and plugins.
        .target(name: "CVAExprsPluginABI"),
        // Vectorisable element-wise kernels: restrict pointers; -fno-math-errno lets sqrtf
        // vectorise; -fapprox-func with libmvec vectorises expf/logf (glibc's vector math).
        .target(name: "CKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-fapprox-func", "-fveclib=libmvec"])],
                linkerSettings: [.linkedLibrary("mvec")]),

        // CPUID, OpenBLAS's run-time kernel selection, clock and FMA-peak micro-benchmarks.
        // -O2 even in debug builds: the peak measurement must keep its accumulators in registers.
        .target(name: "CPlatform", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("dl")]),

        // MARK: Foundations, bottom up: errors; platform probes (CPU, BLAS kernel, peak, standard
        // streams); numerics (matrices over BLAS/LAPACK, seeded random numbers, the worker pool);
        // the renderer-neutral figure model.
        .target(name: "VAExprsErrors"),
        .target(name: "VAExprsPlatform", dependencies: ["CBLAS", "CPlatform"]),
        .target(
            name: "VAExprsNumerics", dependencies: ["VAExprsErrors", "VAExprsPlatform", "CBLAS", "CLAPACKE", "CKernels"]),
        .target(name: "VAExprsFigure"),

        // MARK: Core: the component protocols, the registry, specs and facts; re-exports errors,
        // numerics and the figure model (what every component and plugin author needs).
        .target(name: "VAExprsCore", dependencies: ["VAExprsErrors", "VAExprsNumerics", "VAExprsFigure"]),

        // MARK: Preprocessing: the counts test, the log-normalisation, gene selection (fit, plots, evaluation).
        .target(name: "VAExprsPreprocessing", dependencies: ["VAExprsCore"]),

        // MARK: Built-ins, one module per family; each registers through Registry.register.
        .target(name: "VAExprsNN", dependencies: ["VAExprsCore", "CKernels"]),
        // Optimised even in debug builds: the mixture search is numeric loops that the test
        // suite runs on thousands of points (about 10× slower unoptimised).
        .target(name: "VAExprsSamplers", dependencies: ["VAExprsCore", "CBLAS", "CKernels"],
                swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "VAExprsIO", dependencies: ["VAExprsCore", "CZlib", "CHDF5", "CKernels"]),
        // Optimised in debug builds too, for the same reason (t-SNE and UMAP are long numeric loops).
        .target(name: "VAExprsReducers", dependencies: ["VAExprsCore", "CBLAS", "CARPACK"],
                swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "VAExprsModels", dependencies: ["VAExprsCore", "VAExprsPreprocessing", "CZlib"]),
        .target(name: "VAExprsRenderers", dependencies: ["VAExprsCore", "CCairo"]),
        // Realism metrics of generated cells (classifier two-sample tests, MMD, gene statistics).
        .target(name: "VAExprsEvaluation", dependencies: ["VAExprsCore", "VAExprsPreprocessing", "VAExprsReducers"],
                swiftSettings: [.unsafeFlags(["-O"])]),
        // MPI loaded at run time for data-parallel fits (Open MPI's libmpi.so.40, when installed).
        .target(name: "CMPIRuntime", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "VAExprsDistributed", dependencies: ["VAExprsCore", "VAExprsModels", "CMPIRuntime"]),
        // Run-time plugins: dlopen loader, ABI checks, C vtable → protocol adapters, libffi.
        .target(name: "VAExprsPluginHost", dependencies: ["VAExprsCore", "CPlatform", "CVAExprsPluginABI", "CFFI"]),
        // Figures of the package's plots (plot_aug, plot_vae, history) and the graphviz layout.
        .target(name: "VAExprsPlots", dependencies: ["VAExprsCore", "VAExprsModels", "CGraphviz"]),

        // MARK: The Swift plugin kit: adapts the core protocols to the C ABI (vtables, slots, host services).
        .target(name: "VAExprsPluginKit", dependencies: ["VAExprsCore", "VAExprsPlatform", "CVAExprsPluginABI"]),

        // MARK: Conformance checks shared by built-in tests and plugins (finite-difference gradients)
        .target(name: "VAExprsConformance", dependencies: ["VAExprsCore"]),

        // MARK: Library API (fit / generate / load / save) wiring the built-ins together.
        .target(name: "VAExprs", dependencies: [
            "VAExprsCore", "VAExprsPlatform", "VAExprsPreprocessing", "VAExprsNN", "VAExprsSamplers", "VAExprsIO", "VAExprsModels", "VAExprsReducers",
            "VAExprsRenderers", "VAExprsPlots", "VAExprsPluginHost", "VAExprsConformance", "VAExprsEvaluation",
            "VAExprsDistributed",
        ]),

        // MARK: The C library (vaexprs.h) over the library API, for the R and Python packages.
        .target(name: "CVAExprsAPI"),
        .target(name: "VAExprsC", dependencies: ["VAExprs", "CVAExprsAPI"], exclude: ["exports.map"],
                linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=Sources/VAExprsC/exports.map"])]),

        // MARK: CLI
        .executableTarget(name: "vaexprs", dependencies: [
            "VAExprs", "VAExprsPlatform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Example run-time plugins (paths given: SwiftPM would read Plugins/ as package plugins)
        .target(name: "GatedDensePlugin", dependencies: ["VAExprsPluginKit"], path: "Plugins/GatedDense"),
        .target(name: "RandomProjectionPlugin", dependencies: ["CVAExprsPluginABI"], path: "Plugins/RandomProjection"),
        .target(name: "VegaLitePlugin", dependencies: ["VAExprsPluginKit"], path: "Plugins/VegaLite"),
        .target(name: "FFIActivationsPlugin", path: "Plugins/FFIActivations", exclude: ["libFFIActivationsPlugin.json"]),

        // Fuzz targets: one function per reader or parser, replayed by the tests and run under
        // libFuzzer by scripts/fuzz.sh (the fuzzing executable below).
        .target(name: "VAExprsFuzzTargets", dependencies: ["VAExprs"]),

        // MARK: Tests
        .target(name: "VAExprsTestSupport", dependencies: ["VAExprsCore", "VAExprsIO"], path: "Tests/VAExprsTestSupport"),
        .testTarget(name: "VAExprsCoreTests", dependencies: ["VAExprsCore", "VAExprsPlatform"]),
        .testTarget(name: "VAExprsNNTests", dependencies: ["VAExprsNN", "VAExprsConformance", "CKernels"]),
        .testTarget(name: "VAExprsIOTests", dependencies: ["VAExprsIO", "VAExprsTestSupport"]),
        .testTarget(name: "VAExprsReducersTests", dependencies: ["VAExprsReducers", "VAExprsTestSupport"]),
        .testTarget(name: "VAExprsEvaluationTests", dependencies: ["VAExprsEvaluation"]),
        .testTarget(name: "VAExprsPlotsTests", dependencies: ["VAExprsRenderers", "VAExprsPlots", "VAExprsModels", "CCairo"]),
        .testTarget(name: "VAExprsSamplersTests", dependencies: ["VAExprsSamplers", "VAExprsTestSupport"]),
        .testTarget(name: "VAExprsModelsTests", dependencies: ["VAExprs", "VAExprsConformance", "VAExprsTestSupport"]),
        .testTarget(name: "VAExprsPluginHostTests", dependencies: ["VAExprs", "VAExprsPluginHost", "VAExprsPluginKit", "CVAExprsPluginABI", "VAExprsTestSupport"]),
        .testTarget(name: "VAExprsCLITests", dependencies: ["vaexprs", "VAExprsIO", "VAExprsTestSupport"]),
        .testTarget(name: "VAExprsFuzzTests", dependencies: ["VAExprsFuzzTargets", "VAExprsTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer executable exists only when scripts/fuzz.sh asks for it (VAEXPRS_FUZZ=1, in its
// own build folder): its entry hands over to libFuzzer's driver, which only -sanitize=fuzzer
// links, so an ordinary build could not link it.
if ProcessInfo.processInfo.environment["VAEXPRS_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "vaexprs-fuzz", dependencies: ["VAExprsFuzzTargets"], path: "Fuzz/Entry",
                                             swiftSettings: [.unsafeFlags(["-parse-as-library"])],
                                             // gold fails on the sanitized objects; lld ships with Swift.
                                             linkerSettings: [.unsafeFlags(["-use-ld=lld"])]))
    package.products.append(.executable(name: "vaexprs-fuzz", targets: ["vaexprs-fuzz"]))
}
