import ArgumentParser
import Foundation

// A closed stdout must surface as EPIPE from write(2), not kill the process.
signal(SIGPIPE, SIG_IGN)

// ArgumentParser exits 64 on usage errors and 1 on thrown errors; Netra's contract is
// grep's (DESIGN.md §3.1), so map every outcome here.
do {
    var command = try NetraCommand.parseAsRoot()
    try command.run()
    exit(0)
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = NetraCommand.exitCode(for: error)
    let message = NetraCommand.fullMessage(for: error)
    if code == .success {
        if !message.isEmpty { print(message) }
        exit(0)
    }
    writeError(message)
    exit(ExitStatus.error)
}
