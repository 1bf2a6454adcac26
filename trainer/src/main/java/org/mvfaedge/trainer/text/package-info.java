/**
 * CLIP's text side for MVFA: the byte-level BPE tokenizer ({@link org.mvfaedge.trainer.text.BpeTokenizer}),
 * the prompt configuration and object table ({@link org.mvfaedge.trainer.text.PromptConfig}), and the
 * prompt ensemble that turns a text encoder's sentence embeddings into an object's normal/abnormal
 * text features ({@link org.mvfaedge.trainer.text.PromptEnsemble}, {@link org.mvfaedge.trainer.text.TextFeatures}).
 */
package org.mvfaedge.trainer.text;
