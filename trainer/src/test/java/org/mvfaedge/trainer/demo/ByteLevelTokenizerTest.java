package org.mvfaedge.trainer.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mvfaedge.trainer.model.ModelConfigException;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.BpeTokenizer;
import org.mvfaedge.trainer.text.PromptEnsemble;

/** {@code --bpe bytes}: the built-in byte-level tokenizer the demo's CLIP is made for. */
class ByteLevelTokenizerTest {
    @Test
    void bytesSelectsTheByteLevelVocabularyOfTheDemoClip() {
        BpeTokenizer t = MvfaModel.tokenizer(Path.of(MvfaModel.BYTE_LEVEL_BPE), DemoPlan.full().clip());
        assertEquals(514, t.vocabSize());
        assertEquals(DemoPlan.BYTE_VOCAB, t.vocabSize());
        assertEquals(512, t.startToken());
        assertEquals(513, t.endToken());
        // One id per byte, the word's last byte in its end-of-word form.
        int[] ids = t.encode("brain mri");
        assertEquals("brain mri".replace(" ", "").length(), ids.length);
        assertEquals("brain mri", t.decode(ids).strip());
    }

    @Test
    void everyDemoPromptFitsTheContext() {
        // The prompt ensemble refuses prompts longer than the context; bytes make long token lists.
        var config = DemoData.promptConfig();
        PromptEnsemble p = new PromptEnsemble(config, MvfaModel.tokenizer(Path.of("bytes"), DemoPlan.full().clip()),
                DemoPlan.CONTEXT);
        for (String name : new String[] {DemoData.BRAIN, DemoData.CHEST}) {
            int[][] rows = p.tokens(config.object(name));
            assertTrue(rows.length > 10, "a prompt ensemble");
            for (int[] row : rows) {
                assertEquals(DemoPlan.CONTEXT, row.length);
                assertEquals(512, row[0]);
                assertTrue(java.util.Arrays.stream(row).anyMatch(id -> id == 513), "end token within the context");
            }
        }
    }

    @Test
    void refusesAClipWithAnotherVocabulary() {
        var openAiSized = org.mvfaedge.trainer.weights.ClipConfig.of(128, 224, 4, 192, 16, 77, 49408, 128, 3);
        ModelConfigException e = assertThrows(ModelConfigException.class,
                () -> MvfaModel.tokenizer(Path.of("bytes"), openAiSized));
        assertTrue(e.getMessage().contains("49408"), e.getMessage());
    }
}
