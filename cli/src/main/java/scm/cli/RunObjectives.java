package scm.cli;

import scm.ref.consistency.KarrasSchedule;
import scm.ref.loss.CmCurriculum;
import scm.ref.loss.ConsistencyDistillation;
import scm.ref.loss.ConsistencyMetric;
import scm.ref.loss.ConsistencyTraining;
import scm.ref.loss.DiffusionObjective;
import scm.ref.loss.EdmDenoiser;
import scm.ref.loss.ImprovedConsistencyTraining;
import scm.ref.loss.ScmConfig;
import scm.ref.loss.ScmObjective;
import scm.ref.loss.TeacherSolver;
import scm.ref.loss.TrainableNetwork;
import scm.ref.model.MlpConfig;
import scm.ref.model.unet.UNetConfig;
import scm.ref.trigflow.TrigFlowNetwork;
import scm.ref.nn.Param;
import scm.ref.train.Objective;

/**
 * Builds the model and objective of a run. The student of sCD (and of sCT when a teacher is given)
 * starts from the teacher's evaluation (EMA) weights, as sCM does [docs/math.md §11 L3]; its adaptive-weight head
 * starts fresh (it models a different loss). CD/CT/iCT students use the EDM parameterisation, so a
 * TrigFlow teacher's weights are not a meaningful start for them: they start from random weights.
 */
final class RunObjectives {
    private RunObjectives() {}

    /** Equal U-Net architectures: every field but the construction seed and the dropout rate. */
    static boolean sameShape(UNetConfig a, UNetConfig b) {
        return a.channels() == b.channels() && a.resolution() == b.resolution() && a.baseChannels() == b.baseChannels()
                && a.channelMult().equals(b.channelMult()) && a.blocksPerLevel() == b.blocksPerLevel() && a.groups() == b.groups()
                && a.embDim() == b.embDim() && a.heads() == b.heads() && a.flashBlockSize() == b.flashBlockSize();
    }

    record Built(Objective objective, TrigFlowNetwork model, String init) {}

    static Built build(RunConfig rc, int dim, ModelCheckpoint teacher, BackendOption backend) {
        String kind = rc.objective();
        boolean needsTeacher = kind.equals("scd") || kind.equals("cd");
        boolean mayTeacher = needsTeacher || kind.equals("sct");
        if (needsTeacher && teacher == null) throw new IllegalArgumentException("objective " + kind + " needs --teacher CHECKPOINT");
        if (!mayTeacher && teacher != null) throw new IllegalArgumentException("objective " + kind + " takes no --teacher");
        ModelSpec spec = rc.modelSpec();
        TrigFlowNetwork model = spec.build();
        TrainableNetwork net = backend.trainable(model);
        scm.ref.trigflow.TrigFlowNetwork teacherModel = null;
        String init = "random (seed " + rc.lng("seed") + ")";
        if (teacher != null) {
            ModelSpec ts = teacher.spec();
            if (ts.kind() != ModelSpec.Kind.DIFFUSION)
                throw new IllegalArgumentException("--teacher checkpoint " + teacher.file() + " is a " + ts.kind().key
                        + " model (objective " + teacher.meta("run.objective", "?") + "), not a diffusion teacher");
            if (ts.isUNet() || spec.isUNet()) {
                // the teacher initialises θ by name (sCT/sCD) and must share the architecture; seed and dropout may differ
                if (!ts.isUNet() || !spec.isUNet() || !sameShape(ts.unet(), spec.unet()))
                    throw new IllegalArgumentException("--teacher checkpoint " + teacher.file() + " is a " + ts.describe()
                            + " but this run's model is a " + spec.describe());
            } else {
                MlpConfig tc = ts.config(), cfg = spec.config();
                if (tc.dim() != cfg.dim() || tc.width() != cfg.width() || tc.depth() != cfg.depth() || tc.embDim() != cfg.embDim()
                        || tc.embedding() != cfg.embedding())
                    throw new IllegalArgumentException("--teacher checkpoint " + teacher.file() + " has model dim " + tc.dim() + " width " + tc.width()
                            + " depth " + tc.depth() + " embDim " + tc.embDim() + " but this run's model is dim " + cfg.dim() + " width "
                            + cfg.width() + " depth " + cfg.depth() + " embDim " + cfg.embDim());
            }
            if (ts.sigmaD() != rc.dbl("sigmaD"))
                throw new IllegalArgumentException("--teacher checkpoint " + teacher.file() + " was trained with sigmaD " + ts.sigmaD()
                        + " but this run has sigmaD " + rc.dbl("sigmaD"));
            TrigFlowNetwork teacherWeights = teacher.referenceModel();  // evaluation (EMA) weights, F64 or a shipped F32 export
            teacherModel = backend.sampling(teacherWeights);
            if (kind.equals("sct") || kind.equals("scd")) {
                // θ (not the adaptive-weight head) from the teacher's parameter of the same name; shapes were checked above
                java.util.Map<String, Param> byName = new java.util.HashMap<>();
                for (Param p : Networks.params(teacherWeights)) byName.put(p.name, p);
                for (Param p : net.networkParams()) System.arraycopy(byName.get(p.name).value, 0, p.value, 0, p.value.length);
                init = "teacher " + teacher.file() + " (" + teacher.group("ema") + "*)";
            }
        }
        double sigmaD = rc.dbl("sigmaD");
        Objective obj = switch (kind) {
            case "teacher" -> new DiffusionObjective(net, new DiffusionObjective.Config(sigmaD, rc.proposal(), rc.bool("adaptiveWeighting")));
            case "sct" -> ScmObjective.sct(net, scm(rc));
            case "scd" -> ScmObjective.scd(net, teacherModel, scm(rc));
            case "cd" -> new ConsistencyDistillation(net, EdmDenoiser.fromTrigFlow(teacherModel, sigmaD),
                    new ConsistencyDistillation.Config(KarrasSchedule.cm(rc.integer("cd.levels")), 0.0, TeacherSolver.HEUN,
                            ConsistencyMetric.l2(), sigmaD));
            case "ct" -> new ConsistencyTraining(net, ConsistencyTraining.Config.cm(new CmCurriculum(rc.integer("ct.s0"),
                    rc.integer("ct.s1"), rc.lng("steps"), rc.dbl("ct.mu0"), CmCurriculum.MuForm.PAPER)));
            case "ict" -> ImprovedConsistencyTraining.create(net, rc.lng("steps"));
            default -> throw new IllegalArgumentException("unknown objective '" + kind + "'");
        };
        return new Built(obj, model, init);
    }

    private static ScmConfig scm(RunConfig rc) {
        return ScmConfig.paper(rc.proposal()).withWarmupSteps(rc.lng("scm.warmup")).withAdaptiveWeighting(rc.bool("adaptiveWeighting"));
    }

}
