-- The risk assessment method by its Chinese name (issue 17): the risk's
-- page shows 作业条件危险性评价法, not the Latin abbreviation LEC. A label
-- an administrator has since changed is left as it is.
UPDATE dict_items SET label = '作业条件危险性评价法'
    WHERE dict = 'risk_method' AND code = 'lec' AND label = 'LEC 作业条件危险性评价法';
