import Foundation

/// Runs the built `vaexprs` binary and captures its output.
public enum CLIRunner {
    /// The result of one run.
    public struct Result {
        /// Exit status.
        public var status: Int32
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
        /// Whether the run was killed for taking longer than its time limit.
        public var timedOut = false

        /// A result from its parts (for runs started another way, e.g. under mpirun).
        public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.timedOut = timedOut
        }
    }

    /// The binary: `$VAEXPRS_BIN`, else `vaexprs` beside the test bundle (SwiftPM's build folder).
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["VAEXPRS_BIN"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("vaexprs").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return TestPaths.packageRoot + "/.build/debug/vaexprs"
    }

    /// Runs `vaexprs arguments…` in `directory` (with extra `environment` variables) and waits for
    /// it; a run still going after `timeLimit` seconds is killed and reported as `timedOut`, so a
    /// hang fails its test instead of stalling the suite.
    public static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        timeLimit: Double = 600
    ) throws -> Result {
        try runProcess(binary, arguments, in: directory, environment: environment, timeLimit: timeLimit)
    }

    /// Runs any `executable` as `run` runs `vaexprs` (a compiler, a test program).
    public static func runProcess(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        timeLimit: Double = 600
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killed = TimeoutFlag()
        let pid = process.processIdentifier
        let timer = DispatchWorkItem {
            killed.set()
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: timer)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), timedOut: killed.isSet)
    }
}

/// A flag set from the timer's thread and read after the process ended.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
