import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs info`: the processor, the BLAS kernels in use and why, threads, and (with --peak)
/// the measured floating-point limit.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract:
            "Print the CPU's vector features, the BLAS library and kernel set in use (and why), and thread counts.")

    @Flag(help: "Also measure the clock and the FP32 FMA peak (about a second).")
    var peak = false

    @Option(help: "Threads to measure the peak on together (implies --peak; default: the default thread count).")
    var peakThreads: Int?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try ThreadCount.check(peakThreads, parameter: "peakThreads")
        let report = SystemReport.current(
            peakThreads: peak || peakThreads != nil ? (peakThreads ?? ThreadCount.default) : nil)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(ParameterText.render(report.text, naming: OptionNames.option))
        }
    }
}
