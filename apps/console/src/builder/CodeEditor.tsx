import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useEffectEvent, useRef } from 'react';
import { celLanguage } from './cel-language';

export type EditorLanguage = 'cel' | 'yaml' | 'json';

/** A problem to mark: where in the text (offsets) and what. */
export interface EditorProblem {
  from: number;
  to: number;
  message: string;
}

const highlight = HighlightStyle.define([
  { tag: tags.string, class: 'tok-string' },
  { tag: tags.number, class: 'tok-number' },
  { tag: [tags.atom, tags.bool, tags.null], class: 'tok-atom' },
  { tag: tags.keyword, class: 'tok-keyword' },
  { tag: tags.operator, class: 'tok-operator' },
  { tag: tags.special(tags.variableName), class: 'tok-variable' },
  { tag: tags.function(tags.variableName), class: 'tok-function' },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], class: 'tok-property' },
  { tag: tags.comment, class: 'tok-comment' },
  { tag: tags.invalid, class: 'tok-invalid' },
  { tag: tags.punctuation, class: 'tok-punctuation' },
]);

function languageOf(language: EditorLanguage): Extension {
  if (language === 'yaml') return yaml();
  if (language === 'json') return json();
  return celLanguage;
}

/**
 * CodeMirror for CEL, YAML and JSON: colours, undo, bracket matching, and problems marked where
 * they are. Tab leaves the editor (it does not indent), so keyboard users are never trapped; the
 * editable area is labelled by the field's label.
 */
export function CodeEditor({
  value,
  onChange,
  language,
  problems = [],
  labelledBy,
  describedBy,
  placeholder,
  lines = 1,
  gutter = false,
  testId,
}: {
  value: string;
  onChange: (value: string) => void;
  language: EditorLanguage;
  problems?: readonly EditorProblem[];
  labelledBy?: string;
  describedBy?: string;
  placeholder?: string;
  /** The least height, in lines. */
  lines?: number;
  gutter?: boolean;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useEffectEvent((text: string) => onChange(text));
  const attributes = useRef(new Compartment());

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        history(),
        drawSelection(),
        bracketMatching(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        syntaxHighlighting(highlight),
        languageOf(language),
        EditorView.lineWrapping,
        ...(gutter ? [lineNumbers(), lintGutter()] : []),
        ...(placeholder ? [placeholderText(placeholder)] : []),
        attributes.current.of(contentAttributes(labelledBy, describedBy, testId)),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) changed(update.state.doc.toString());
        }),
      ],
    });
    const editor = new EditorView({ state, parent: host.current! });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once; value, problems and labels are synced by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) {
      editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: attributes.current.reconfigure(contentAttributes(labelledBy, describedBy, testId)),
    });
  }, [labelledBy, describedBy, testId]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    const diagnostics: Diagnostic[] = problems.map((problem) => {
      const from = Math.min(Math.max(0, problem.from), length);
      // A problem at the very end (an expression cut short) still gets a visible mark.
      const to = Math.min(Math.max(from + 1, problem.to), length);
      return {
        from: to > from ? from : Math.max(0, from - 1),
        to: Math.max(to, from),
        severity: 'error',
        message: problem.message,
      };
    });
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [problems, value]);

  return (
    <div
      ref={host}
      className={`code-editor code-editor-${language}`}
      style={{ minHeight: `${lines * 1.5 + 0.9}em` }}
    />
  );
}

function contentAttributes(labelledBy?: string, describedBy?: string, testId?: string): Extension {
  return EditorView.contentAttributes.of({
    ...(labelledBy ? { 'aria-labelledby': labelledBy } : {}),
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
    ...(testId ? { 'data-testid': testId } : {}),
    'aria-multiline': 'true',
  });
}
