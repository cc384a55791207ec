import Cluster
import Foundation
import Testing
import _TestSupport

@Suite("BatchScript")
struct BatchScriptTests {
    @Test("quoted words reach bash unchanged")
    func quoting() throws {
        let words = ["plain", "with space", "it's", "$HOME", "a\"b", "semi;colon", "", "/path/x-1_2.h5", "back\\slash"]
        let script = words.map { "printf '%s\\n' " + BatchScript.quote($0) }.joined(separator: "\n")
        let r = try Fixtures.run("/bin/bash", ["-c", script])
        #expect(r.status == 0)
        #expect(r.stdout == words.map { $0 + "\n" }.joined())
        #expect(BatchScript.quote("plain") == "plain")
    }

    @Test("directives come before the body, each as #SBATCH --name[=value]")
    func text() {
        let s = BatchScript(comments: ["what"], directives: [("job-name", "x"), ("exclusive", nil)], body: ["exec true"])
        #expect(s.text == "#!/bin/bash\n# what\n#SBATCH --job-name=x\n#SBATCH --exclusive\nset -euo pipefail\nexec true\n")
    }

    @Test("a directive value with white space is double-quoted; a double quote or line break is named as a problem")
    func directiveValues() {
        let s = BatchScript(directives: [("output", "/data/my study/logs/task-%a.out"), ("chdir", "/plain")], body: [])
        #expect(s.text.contains("#SBATCH --output=\"/data/my study/logs/task-%a.out\"\n#SBATCH --chdir=/plain\n"))
        #expect(BatchScript.directiveProblem("/data/my study") == nil)
        #expect(BatchScript.directiveProblem("/data/a\"b")?.contains("double quote") == true)
        #expect(BatchScript.directiveProblem("/data/a\nb")?.contains("line break") == true)
    }
}
