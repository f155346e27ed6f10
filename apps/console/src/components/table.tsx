import type { ReactNode } from 'react';
import type { CursorPages } from '../app/hooks';
import { Button } from './buttons';
import { SkeletonRows } from './feedback';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Hidden on narrow windows: the least important columns. */
  secondary?: boolean;
  className?: string;
}

/**
 * A table of rows with a caption for assistive technology. Each row's first cell holds the link to
 * its page, so rows are reached with Tab and opened with Enter like any link.
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  loading,
  empty,
  rowClass,
}: {
  caption: string;
  columns: Array<Column<T>>;
  rows: readonly T[] | undefined;
  rowKey: (row: T) => string;
  loading?: boolean;
  empty?: ReactNode;
  rowClass?: (row: T) => string | undefined;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={`${column.secondary ? 'secondary' : ''} ${column.className ?? ''}`}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows === undefined && loading && <SkeletonRows columns={columns.length} />}
          {rows?.map((row) => (
            <tr key={rowKey(row)} className={rowClass?.(row)}>
              {columns.map((column) => (
                <td
                  key={column.key}
                  className={`${column.secondary ? 'secondary' : ''} ${column.className ?? ''}`}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows !== undefined && rows.length === 0 && empty}
    </div>
  );
}

/** Previous / next over keyset pages. */
export function Pager({
  page,
  hasNext,
  onPrevious,
  onNext,
  label,
}: {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <Button small icon="chevronLeft" onClick={onPrevious} disabled={page === 1}>
        Previous
      </Button>
      <span className="pager-page" aria-live="polite">
        Page {page}
      </span>
      <Button small onClick={onNext} disabled={!hasNext}>
        Next
        <span aria-hidden="true">›</span>
      </Button>
    </nav>
  );
}

/** The pager of a list the API pages by cursor (`useCursorPages`); `nextCursor` is the page's. */
export function CursorPager({
  label,
  pages,
  nextCursor,
}: {
  label: string;
  pages: CursorPages;
  nextCursor: string | undefined;
}) {
  return (
    <Pager
      label={label}
      page={pages.page}
      hasNext={Boolean(nextCursor)}
      onPrevious={pages.previous}
      onNext={() => nextCursor && pages.next(nextCursor)}
    />
  );
}

/** Client-side pages of a list the API returns whole (API keys, secrets). */
export function pageOf<T>(
  items: readonly T[],
  page: number,
  size: number,
): { rows: T[]; hasNext: boolean } {
  return { rows: items.slice((page - 1) * size, page * size), hasNext: items.length > page * size };
}
