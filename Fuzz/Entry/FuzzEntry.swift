import Foundation
import VAExprsFuzzTargets

// libFuzzer's entry points. The target is chosen by VAEXPRS_FUZZ_TARGET (scripts/fuzz.sh sets
// it): one binary for every target, so one instrumented build.
//
// SwiftPM links an executable target with `main` defined as `<module>_main` (here
// `vaexprs_fuzz_main`), so libFuzzer's own `main` is never pulled in; this one hands over to
// libFuzzer's driver (`LLVMFuzzerRunDriver`) instead.

nonisolated(unsafe) private var selected: FuzzTargets.Target?

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("vaexprs_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    let name = ProcessInfo.processInfo.environment["VAEXPRS_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("vaexprs-fuzz: set VAEXPRS_FUZZ_TARGET to one of: \(names)\n".utf8))
        return 2
    }
    selected = target
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        selected?.run(bytes)
        return 0
    }
}
