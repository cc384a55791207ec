import DAPS
import Foundation
import Testing

@Suite struct DAPSConfigurationTests {
    @Test("JSON round trip for both conditional methods; NFE = N_A × N_ODE")
    func roundTrip() throws {
        let l = #"{"sigma_max":100,"sigma_min":0.1,"annealing_steps":50,"ode_steps":2,"conditional":{"method":"langevin","steps":100,"lr":1e-4,"lr_min_ratio":0.01,"tau":0.01}}"#
        let c = try DAPSConfiguration.decode(json: Data(l.utf8))
        #expect(c == DAPSConfiguration(annealingSteps: 50, odeSteps: 2,
                                       conditional: .langevin(steps: 100, lr: 1e-4, lrMinRatio: 0.01, tau: 0.01)))
        #expect(c.networkEvaluations == 100)
        let g = #"{"annealing_steps":20,"ode_steps":5,"conditional":{"method":"gaussian-cg","tau":0.01,"iterations":8,"tolerance":1e-5}}"#
        let cg = try DAPSConfiguration.decode(json: Data(g.utf8))
        #expect(cg.sigmaMax == 100 && cg.sigmaMin == 0.1 && cg.conditional == .gaussianCG(tau: 0.01, iterations: 8, tolerance: 1e-5))
        for x in [c, cg] { #expect(try DAPSConfiguration.decode(json: JSONEncoder().encode(x)) == x) }
    }

    @Test("unknown keys, unknown methods, missing keys and bad values name the key")
    func errors() {
        func message(_ json: String) -> String {
            do { _ = try DAPSConfiguration.decode(json: Data(json.utf8)); return "" } catch { return "\(error)" }
        }
        let cond = #""conditional":{"method":"gaussian-cg","tau":0.01,"iterations":8,"tolerance":1e-5}"#
        #expect(message(#"{"annealing_steps":5,"ode_steps":1,"bogus":1,"# + cond + "}").contains("'bogus'"))
        #expect(message(#"{"ode_steps":1,"# + cond + "}").contains("'annealing_steps'"))
        #expect(message(#"{"annealing_steps":5,"ode_steps":0,"# + cond + "}").contains("'ode_steps'"))
        #expect(message(#"{"annealing_steps":5,"ode_steps":1,"sigma_min":200,"# + cond + "}").contains("'sigma_min'"))
        #expect(message(#"{"annealing_steps":5,"ode_steps":1,"conditional":{"method":"ddim"}}"#).contains("conditional.method"))
        #expect(message(#"{"annealing_steps":5,"ode_steps":1,"conditional":{"method":"gaussian-cg","tau":0.01,"iterations":8,"tolerance":1e-5,"lr":1}}"#).contains("conditional.lr"))
        #expect(message(#"{"annealing_steps":5,"ode_steps":1,"conditional":{"method":"langevin","steps":1,"lr":-1,"lr_min_ratio":1,"tau":1}}"#).contains("conditional.lr"))
    }
}
